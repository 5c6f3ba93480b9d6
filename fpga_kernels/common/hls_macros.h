// Pragmas from macros, shared by the kernels.
#ifndef HETSIM_HLS_MACROS_H
#define HETSIM_HLS_MACROS_H

// Vitis HLS reads `_Pragma` produced by a macro (UG1399, "pragmas in macros"); the generated
// port lists in params.h need it to give each m_axi port its own bundle. g++ ignores them.
#define HLS_PRAGMA_STR(x) _Pragma(#x)
#define HLS_PRAGMA(x) HLS_PRAGMA_STR(x)

#endif  // HETSIM_HLS_MACROS_H
