# Importers and exporters of 3DEqualizer, boujou, Maya Live and MatchMover (.rz2, RZML).
add_executable(test_formats_misc ${CMAKE_CURRENT_LIST_DIR}/test_formats_misc.c)
target_link_libraries(test_formats_misc PRIVATE trackport_converter)
target_include_directories(test_formats_misc PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME formats_misc COMMAND test_formats_misc)
set_tests_properties(formats_misc PROPERTIES LABELS "converter" TIMEOUT 300)
