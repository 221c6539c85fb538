# One warning set for every project target (see docs/CODING_STYLE.md).
set(REFUGE_WARNINGS
    -Wall -Wextra -Wpedantic -Wformat=2 -Wformat-security -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wmissing-declarations -Wold-style-definition -Wvla -Wwrite-strings
    -Wpointer-arith -Wcast-qual -Wundef -Wimplicit-fallthrough -Wnull-dereference
    -Wdouble-promotion -Wredundant-decls -Wswitch-enum -Wconversion -Wno-sign-conversion
    -Werror=implicit-function-declaration)
if(REFUGE_WERROR)
    list(APPEND REFUGE_WARNINGS -Werror)
endif()

function(refuge_target_warnings target)
    target_compile_options(${target} PRIVATE ${REFUGE_WARNINGS})
endfunction()
