# refuge_embed(OUTPUT out.c SYMBOL name FILES f1 f2 ...)
# Runs the host tool `embed` to turn files into a C table looked up by name.
function(refuge_embed)
    cmake_parse_arguments(E "" "OUTPUT;SYMBOL" "FILES" ${ARGN})
    add_custom_command(
        OUTPUT ${E_OUTPUT}
        COMMAND embed ${E_SYMBOL} ${E_OUTPUT} ${E_FILES}
        DEPENDS embed ${E_FILES}
        COMMENT "Embedding ${E_SYMBOL}"
        VERBATIM)
endfunction()
