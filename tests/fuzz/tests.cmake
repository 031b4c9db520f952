# One libFuzzer target per importer (clang with -DTP_FUZZ=ON); otherwise the same source
# builds, with fuzz_replay.c, a replayer that ctest runs over the seeds, crash regressions and corpus samples.
set(TP_FUZZ_IMPORTERS boujou equalizer3 equalizer4 flamestabilizer matchmover matchmoverrzml
    mayalive nukescript pftrack shakescript shaketext syntheyes syntheyesalltrackerpaths tsv
    mmsolver fusion aekeyframes)
foreach(name ${TP_FUZZ_IMPORTERS})
  add_executable(fuzz_${name} ${CMAKE_CURRENT_LIST_DIR}/fuzz_importer.c)
  target_link_libraries(fuzz_${name} PRIVATE trackport_converter)
  target_compile_definitions(fuzz_${name} PRIVATE TP_FUZZ_IMPORTER="${name}")
  if(TP_FUZZ)
    target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    target_sources(fuzz_${name} PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fuzz_replay.c)
    add_test(NAME fuzz_replay_${name}
             COMMAND fuzz_${name} ${CMAKE_CURRENT_LIST_DIR}/seeds/${name}
                     ${CMAKE_CURRENT_LIST_DIR}/regressions/${name} ${TP_CORPUS_DIR}/samples)
    set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS "converter;fuzz")
  endif()
endforeach()

# The number parser, differentially against strtod (its own seeds only).
add_executable(fuzz_numbers ${CMAKE_CURRENT_LIST_DIR}/fuzz_numbers.c)
target_link_libraries(fuzz_numbers PRIVATE trackport_converter)
if(TP_FUZZ)
  target_compile_options(fuzz_numbers PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_numbers PRIVATE -fsanitize=fuzzer,address,undefined)
else()
  target_sources(fuzz_numbers PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fuzz_replay.c)
  add_test(NAME fuzz_replay_numbers
           COMMAND fuzz_numbers ${CMAKE_CURRENT_LIST_DIR}/seeds/numbers
                   ${CMAKE_CURRENT_LIST_DIR}/regressions/numbers)
  set_tests_properties(fuzz_replay_numbers PROPERTIES LABELS "converter;fuzz")
endif()

# The fixed-point writer: its fast path and the replay of Ruby's dtoa, differentially.
add_executable(fuzz_fixed ${CMAKE_CURRENT_LIST_DIR}/fuzz_fixed.c)
target_link_libraries(fuzz_fixed PRIVATE trackport_converter)
target_include_directories(fuzz_fixed PRIVATE ${CMAKE_SOURCE_DIR}/converter/core)
if(TP_FUZZ)
  target_compile_options(fuzz_fixed PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_fixed PRIVATE -fsanitize=fuzzer,address,undefined)
else()
  target_sources(fuzz_fixed PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fuzz_replay.c)
  add_test(NAME fuzz_replay_fixed
           COMMAND fuzz_fixed ${CMAKE_CURRENT_LIST_DIR}/seeds/fixed
                   ${CMAKE_CURRENT_LIST_DIR}/regressions/fixed)
  set_tests_properties(fuzz_replay_fixed PROPERTIES LABELS "converter;fuzz")
endif()
