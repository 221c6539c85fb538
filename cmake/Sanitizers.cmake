# -DREFUGE_SANITIZE=ON builds everything with ASan and UBSan; any report fails the run.
if(REFUGE_SANITIZE)
    set(SAN_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_compile_options(${SAN_FLAGS})
    add_link_options(${SAN_FLAGS})
endif()
