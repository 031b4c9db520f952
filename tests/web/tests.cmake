# Unit tests of the site's modules that need no server, and the upload parser's fuzz target.
# They build whether or not TP_WITH_SERVER is on: these modules need only libc and the
# converter library.
set(TP_WEB_DIR ${CMAKE_SOURCE_DIR}/fcgi)

add_executable(test_web_unit ${CMAKE_CURRENT_LIST_DIR}/test_web_unit.c
               ${TP_WEB_DIR}/web_multipart.c ${TP_WEB_DIR}/web_router.c
               ${TP_WEB_DIR}/web_text.c)
target_include_directories(test_web_unit PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${TP_WEB_DIR})
target_link_libraries(test_web_unit PRIVATE trackport_converter)
add_test(NAME web_unit COMMAND test_web_unit)
set_tests_properties(web_unit PROPERTIES LABELS "site")

add_executable(fuzz_multipart ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_multipart.c
               ${TP_WEB_DIR}/web_multipart.c)
target_include_directories(fuzz_multipart PRIVATE ${TP_WEB_DIR})
if(TP_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  target_compile_options(fuzz_multipart PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_multipart PRIVATE -fsanitize=fuzzer,address,undefined)
else()
  target_sources(fuzz_multipart PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_replay.c)
  add_test(NAME fuzz_replay_multipart
           COMMAND fuzz_multipart ${CMAKE_SOURCE_DIR}/tests/fuzz/seeds/multipart
                   ${CMAKE_SOURCE_DIR}/tests/fuzz/regressions/multipart)
  set_tests_properties(fuzz_replay_multipart PROPERTIES LABELS "site;fuzz")
endif()
