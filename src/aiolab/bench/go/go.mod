module aiolab/bench/gomillion

go 1.19
