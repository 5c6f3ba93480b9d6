"""The FPGA timing model of the kernels in `fpga_kernels/`: their parameters (`params`), cycle
counts (`cycles`), resource use (`resources`) and the designs `hetsim.hardware.fpga.FpgaModel`
runs (`designs`). Pure functions of parsed parameter files: reading them is
`hetsim.calibration.kernel_params`'s job."""
