# Runs cmake/check_module_deps.cmake over tests/testdata/module_deps, where each file includes one
# allowed and one forbidden header: the check must fail, naming exactly the forbidden ones.
execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${FIXTURE} -P ${CHECKER}
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "the check accepted forbidden includes:\n${out}${err}")
endif()
set(expected
    "collectors/disk/uses_http.hpp: #include \"collectors/http/http_config.hpp\" (collectors/disk may not use collectors/http)"
    "core/uses_rules.hpp: #include \"rules/rule_file.hpp\" (core may not use rules)"
    "rules/promql/uses_rules.hpp: #include \"rules/rule_manager.hpp\" (rules/promql may not use rules)")
foreach(line IN LISTS expected)
  string(FIND "${err}" "${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "missing violation: ${line}\nchecker said:\n${err}")
  endif()
endforeach()
string(REGEX MATCHALL "may not use" reported "${err}")
list(LENGTH reported count)
if(NOT count EQUAL 3)
  message(FATAL_ERROR "expected 3 violations, got ${count} (allowed includes reported?):\n${err}")
endif()
