"""Each method's GPU path as plain PyTorch code, written once and used three ways.

One module per method (lserve, seer_attention, dsa, bm25, rag_two_stage, ttt, memory_as_context,
memagent; triggers for RAG's FLARE / DRAGIN / FS-RAG; llm.py the eager decoder layer MemAgent and HMT
run) holds the functions its reference implementation runs, step by step (Prepare, Relevancy,
Retrieval, Apply), over a dict of named tensors (the method's state: caches, index, query). The same
functions are

    traced   on fake tensors, no GPU and no weights (trace.py: the aten ops of each step), checked
             against the method's hand formulas in hetsim/workloads (tests/method_code);
    priced   by hetsim's GPU model through the aten mapping (hetsim/stacks/aten.py; validate.py);
    run      on a GPU by the runner (run.py), timed as validation composites.

`composites.py` (torch-free) lists the sizes. The method modules import torch; nothing the
simulator imports imports this package (validate.py reads the runner's Parquet, which carries the
traces, so `hetsim validate methods` needs no torch).
"""
