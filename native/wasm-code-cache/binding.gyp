{
  "targets": [
    {
      "target_name": "wasm_code_cache",
      "sources": ["wasm_code_cache.cc"],
      "cflags_cc": ["-std=c++20", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-cast-function-type"]
    }
  ]
}
