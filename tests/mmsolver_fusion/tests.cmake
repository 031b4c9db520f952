# mmSolver .uv and Fusion .setting: importer and exporter unit tests (a process per case),
# then samples against expected tables and every exporter's output read by an independent
# reader (a parser of mmSolver's rules, Python's json, Debian's Lua).
add_executable(test_mmsolver_fusion ${CMAKE_CURRENT_LIST_DIR}/test_mmsolver_fusion.c)
target_link_libraries(test_mmsolver_fusion PRIVATE trackport_converter)
target_include_directories(test_mmsolver_fusion PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME mmsolver_fusion COMMAND test_mmsolver_fusion)
set_tests_properties(mmsolver_fusion PROPERTIES LABELS "converter")

# Lua comes from .ci/install-deps; without it the test fails saying so (the build does not).
find_program(TP_LUA NAMES lua5.4 lua)
if(TP_LUA)
  add_test(NAME mmsolver_fusion_readers
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/readers_test.py
                   $<TARGET_FILE:trackport> ${TP_LUA} ${CMAKE_CURRENT_BINARY_DIR}/mmsolver_fusion_work)
else()
  add_test(NAME mmsolver_fusion_readers
           COMMAND ${CMAKE_COMMAND} -E echo "lua5.4 is not installed: run .ci/install-deps")
  set_tests_properties(mmsolver_fusion_readers PROPERTIES FAIL_REGULAR_EXPRESSION "not installed")
endif()
set_tests_properties(mmsolver_fusion_readers PROPERTIES LABELS "converter")
