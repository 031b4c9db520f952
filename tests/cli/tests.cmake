# The command line in Tracksperanto's syntax, from a table of command lines.
add_test(NAME cli
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/cli_test.py
                 $<TARGET_FILE:trackport> ${CMAKE_CURRENT_BINARY_DIR}/cli_work)
set_tests_properties(cli PROPERTIES LABELS "converter")
