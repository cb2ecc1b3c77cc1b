# Fails when a source includes a header across a forbidden module edge (docs/ARCHITECTURE.md,
# "Modules"). Link lines keep compiled code apart, but an include of a header-only piece would not
# show up at link time; this catches it.
#   cmake -DSOURCE_DIR=<repo> -P cmake/check_module_deps.cmake
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<source tree> -P check_module_deps.cmake")
endif()

# The module a path (relative to SOURCE_DIR) belongs to; empty when it is not ours.
function(module_of path out)
  if(path MATCHES "^collectors/registry\\.")
    set(module "collectors/registry")
  elseif(path MATCHES "^collectors/([a-z_]+)/")
    set(module "collectors/${CMAKE_MATCH_1}")
  elseif(path MATCHES "^rules/(promql|template)/")
    set(module "rules/${CMAKE_MATCH_1}")
  elseif(path MATCHES "^(core|collectors|rules|notify|exporter)/")
    set(module "${CMAKE_MATCH_1}")
  else()
    set(module "")
  endif()
  set(${out} "${module}" PARENT_SCOPE)
endfunction()

# Whether code in module `from` may include a header of module `to`.
function(may_include from to out)
  set(ok FALSE)
  if(from STREQUAL to OR to STREQUAL "core")
    set(ok TRUE)
  elseif(from STREQUAL "exporter")
    set(ok TRUE)  # the process on top wires everything together
  elseif(from MATCHES "^collectors/" AND to STREQUAL "collectors")
    set(ok TRUE)  # a collector type uses the shared seams
  elseif(from STREQUAL "collectors/registry" AND to MATCHES "^collectors/")
    set(ok TRUE)  # the one place that knows every type
  elseif(from STREQUAL "rules" AND to MATCHES "^rules/(promql|template)$")
    set(ok TRUE)
  endif()
  set(${out} ${ok} PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE sources RELATIVE "${SOURCE_DIR}"
     "${SOURCE_DIR}/core/*.[ch]pp" "${SOURCE_DIR}/collectors/*.[ch]pp"
     "${SOURCE_DIR}/rules/*.[ch]pp" "${SOURCE_DIR}/notify/*.[ch]pp"
     "${SOURCE_DIR}/exporter/*.[ch]pp")
set(violations "")
foreach(source IN LISTS sources)
  module_of("${source}" from)
  file(STRINGS "${SOURCE_DIR}/${source}" includes REGEX "^#include \"[^\"]+\"")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" header "${line}")
    module_of("${header}" to)
    if(to STREQUAL "")
      continue()
    endif()
    may_include("${from}" "${to}" ok)
    if(NOT ok)
      string(APPEND violations "  ${source}: #include \"${header}\" (${from} may not use ${to})\n")
    endif()
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "module dependency violations (see docs/ARCHITECTURE.md, \"Modules\"):\n"
                      "${violations}")
endif()
list(LENGTH sources count)
message(STATUS "module dependencies ok (${count} files)")
