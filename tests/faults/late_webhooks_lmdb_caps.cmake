# Fault tests with real processes (tests/faults/*_test.py): a JetStream
# nats-server, the real `patron` binary, HTTP endpoints and a tmpfs;
# label `faults`, short (CI) settings. docs/operations.md "Fault tests
# (webhooks, disk, caps, late events)" gives the long ones. Exit 77: skipped.
if(TARGET patron AND TARGET patron_stream_dump)
  set(faults2_dir ${CMAKE_CURRENT_SOURCE_DIR}/faults)
  set(faults2_env "PATRON_BIN=$<TARGET_FILE:patron>" "PATRON_STREAM_DUMP=$<TARGET_FILE:patron_stream_dump>"
      "PYTHONDONTWRITEBYTECODE=1")
  foreach(entry
          "late events: grace 90s, run equals replay until stop minus the grace|late_events_test.py|grace90"
          "late events: grace 0, late events counted and firings not undone|late_events_test.py|grace0"
          "webhooks: hanging and failing endpoints retried, dead-lettered, others flow|webhooks_test.py|main"
          "lmdb: a 1 MiB initial map grows, run equals replay|lmdb_test.py|tiny-map"
          "lmdb: a full disk stops intake, resumes by itself, loses nothing under kill -9|lmdb_test.py|full-disk"
          "caps and quiet hours: limits and between hold, run equals replay|caps_quiet_test.py|--kills 0"
          "caps and quiet hours: limits and between hold under kill -9|caps_quiet_test.py|--kills 5")
    string(REPLACE "|" ";" parts "${entry}")
    list(GET parts 0 name)
    list(GET parts 1 script)
    list(GET parts 2 arg)
    separate_arguments(arg)
    add_test(NAME "faults: ${name}" COMMAND ${Python3_EXECUTABLE} ${faults2_dir}/${script} ${arg})
    set_tests_properties("faults: ${name}" PROPERTIES LABELS faults ENVIRONMENT "${faults2_env}"
                         SKIP_RETURN_CODE 77 TIMEOUT 600)
  endforeach()
endif()
