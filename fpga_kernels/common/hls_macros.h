// Helpers shared by the kernels: pragmas from macros, beat unpacking.
#ifndef HETSIM_HLS_MACROS_H
#define HETSIM_HLS_MACROS_H

// Vitis HLS reads `_Pragma` produced by a macro (UG1399, "pragmas in macros"); the generated
// port lists in params.h need it to give each m_axi port its own bundle. g++ ignores them.
#define HLS_PRAGMA_STR(x) _Pragma(#x)
#define HLS_PRAGMA(x) HLS_PRAGMA_STR(x)

// Words of the `stats` output every kernel writes (see each kernel's header for the meaning).
#define STATS_WORDS 8

#endif  // HETSIM_HLS_MACROS_H
