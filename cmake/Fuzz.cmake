# -DREFUGE_FUZZ=ON: instruments every library under src/ for libFuzzer
# (fuzz/CMakeLists.txt links the targets). Two flavours:
#   default                  ASan + UBSan + libFuzzer's coverage feedback
#   -DREFUGE_FUZZ_COVERAGE=ON  clang source-based coverage (llvm-cov reports)
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "REFUGE_FUZZ needs clang: configure with CC=clang-14")
endif()
if(REFUGE_FUZZ_COVERAGE)
    set(REFUGE_FUZZ_COMPILE -fprofile-instr-generate -fcoverage-mapping)
    set(REFUGE_FUZZ_LINK -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping)
else()
    set(REFUGE_FUZZ_COMPILE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                            -fno-sanitize-recover=all)
    set(REFUGE_FUZZ_LINK -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
endif()
add_compile_options(-g ${REFUGE_FUZZ_COMPILE})
