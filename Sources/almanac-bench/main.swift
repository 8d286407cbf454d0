print("almanac-bench")
