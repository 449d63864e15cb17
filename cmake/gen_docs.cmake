# SPDX-License-Identifier: Apache-2.0
# gen_docs.cmake - run the built migplan to write its man page and shell
# completions (-DMIGPLAN=binary -DOUT=folder): they come from the same
# tables as --help, so they are made, never edited.
foreach(job "migplan.1;--man" "completions/migplan;completion;bash"
            "completions/_migplan;completion;zsh")
  list(POP_FRONT job file)
  get_filename_component(dir "${OUT}/${file}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  execute_process(COMMAND "${MIGPLAN}" ${job}
                  OUTPUT_FILE "${OUT}/${file}.tmp" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "migplan ${job} failed (${rc})")
  endif()
  file(RENAME "${OUT}/${file}.tmp" "${OUT}/${file}")
endforeach()
