# Build rules shared by the kernels; each kernel's Makefile sets KERNEL and includes this.
#
#   make csim            g++ C-simulation of the testbench (no Vitis; vendored ap_int headers)
#   make lib             the kernel as a shared library for ctypes (hetsim.fpga_runner, backend csim)
#   make hw_emu / hw     v++ -c then v++ -l for $(PLATFORM) (needs Vitis; xclbin under build/<target>/)
#   make connectivity.cfg   regenerate the sp=/nk= file from params.yaml
#
# Variables: BUILD (output folder), SET (gen_params overrides for a test build, e.g.
# SET="--set pes=4 --set bram_keys=64"; use a different BUILD for each SET), SEED (testbench).

ROOT   := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PYTHON ?= python3
BUILD  ?= build
SET    ?=
SEED   ?= 1
CXX    ?= g++
VPP    ?= v++

GEN      := $(PYTHON) $(ROOT)/gen_params.py params.yaml
PLATFORM ?= $(shell $(GEN) --get platform)
CLOCK_MHZ = $(shell $(GEN) $(SET) --get clock_mhz)

SRC  := $(KERNEL).cpp
HDRS := $(wildcard *.h) $(wildcard $(ROOT)/common/*.h) $(BUILD)/params.h

# C-simulation only: $(ROOT)/vendor/ap_types holds the vendored Apache-2.0 ap_int headers and
# $(ROOT)/include our hls_stream.h shim. Neither may reach v++, whose own Vitis headers are the
# real ones.
# -ffp-contract=off: no fused multiply-add, so float code (none yet) matches numpy bit for bit.
# -Wno-(maybe-)uninitialized: false positives from ap_private.h once inlined into our code.
CSIM_FLAGS := -std=c++14 -O1 -g0 -Wall -Wno-unknown-pragmas -Wno-unused-label -ffp-contract=off \
              -Wno-uninitialized -Wno-maybe-uninitialized \
              -isystem $(ROOT)/vendor/ap_types -isystem $(ROOT)/include -I$(ROOT)/common -I$(BUILD)

.PHONY: csim lib hw_emu hw clean
.DELETE_ON_ERROR:
.PRECIOUS: $(BUILD)/%/$(KERNEL).xo  # keep the kernel object between hw_emu and hw links

$(BUILD)/params.h: params.yaml $(ROOT)/gen_params.py
	$(GEN) $(SET) --header $@

connectivity.cfg: params.yaml $(ROOT)/gen_params.py
	$(GEN) --connectivity $@

csim: $(BUILD)/csim_tb
	$(BUILD)/csim_tb $(SEED)

$(BUILD)/csim_tb: $(SRC) tb.cpp $(HDRS)
	$(CXX) $(CSIM_FLAGS) $(SRC) tb.cpp -o $@

lib: $(BUILD)/lib$(KERNEL).so

$(BUILD)/lib$(KERNEL).so: $(SRC) capi.cpp $(HDRS)
	$(CXX) $(CSIM_FLAGS) -fPIC -shared $(SRC) capi.cpp -o $@

# ---- Vitis (not available in CI): kernel object, then link against the platform's HBM.
$(BUILD)/%/$(KERNEL).xo: $(SRC) $(HDRS)
	mkdir -p $(dir $@)
	$(VPP) -c -t $* --platform $(PLATFORM) -k $(KERNEL) --hls.clock $(CLOCK_MHZ)000000:$(KERNEL) \
	    -I$(ROOT)/common -I$(BUILD) --temp_dir $(BUILD)/$*/tmp --report_dir $(BUILD)/$*/reports -o $@ $(SRC)

$(BUILD)/%/$(KERNEL).xclbin: $(BUILD)/%/$(KERNEL).xo connectivity.cfg
	$(VPP) -l -t $* --platform $(PLATFORM) --config connectivity.cfg --kernel_frequency $(CLOCK_MHZ) \
	    --temp_dir $(BUILD)/$*/tmp --report_dir $(BUILD)/$*/reports -o $@ $<

hw_emu: $(BUILD)/hw_emu/$(KERNEL).xclbin
	emconfigutil --platform $(PLATFORM) --od $(BUILD)/hw_emu

hw: $(BUILD)/hw/$(KERNEL).xclbin

clean:
	rm -rf $(BUILD)
