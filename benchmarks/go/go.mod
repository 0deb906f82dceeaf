module aiolab/benchmarks/gomillion

go 1.19
