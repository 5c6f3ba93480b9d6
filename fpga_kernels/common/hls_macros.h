// Pragmas from macros, shared by the kernels.
#ifndef HETSIM_HLS_MACROS_H
#define HETSIM_HLS_MACROS_H

// Vitis HLS reads `_Pragma` produced by a macro (UG1399, "pragmas in macros"); the generated
// port lists in params.h need it to give each m_axi port its own bundle. g++ ignores them.
#define HLS_PRAGMA_STR(x) _Pragma(#x)
#define HLS_PRAGMA(x) HLS_PRAGMA_STR(x)

// Per item port, for the generated FOR_EACH_<ITEMS>_PORT(X) lists: the top function's argument
// (`const beat_t*` in every kernel) and the name passed on. The m_axi pragmas stay in each top
// function, next to the ports they bind.
#define ITEM_PORT_ARG(i, name) const beat_t* name,
#define ITEM_PORT_NAME(i, name) name,

#endif  // HETSIM_HLS_MACROS_H
