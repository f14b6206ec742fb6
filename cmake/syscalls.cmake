# Writes OUT: the host's syscall names by number, { nr, "name" } lines, from
# the <asm/unistd.h> the compiler CC sees (the native ABI: x86-64 here).
# The kernel exposes no number -> name table at run time (tracefs gives the
# sys_enter_* events their own ids, not syscall numbers), so it is taken
# from the headers the binary is built against.
file(WRITE ${OUT}.c "#include <asm/unistd.h>\n")
execute_process(COMMAND ${CC} -E -dM ${OUT}.c OUTPUT_VARIABLE defs RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cannot preprocess <asm/unistd.h> with ${CC}")
endif()
string(REGEX MATCHALL "#define __NR_[a-z0-9_]+ [0-9]+" lines "${defs}")
set(body "")
foreach(l ${lines})
  string(REGEX REPLACE "#define __NR_([a-z0-9_]+) ([0-9]+)" "\t{ \\2, \"\\1\" },\n" e "${l}")
  string(APPEND body "${e}")
endforeach()
if(body STREQUAL "")
  message(FATAL_ERROR "no __NR_ definitions in <asm/unistd.h>")
endif()
file(WRITE ${OUT}.tmp "${body}")
file(RENAME ${OUT}.tmp ${OUT})
file(REMOVE ${OUT}.c)
