# The backend registers itself from a static initializer, so an application
# never references any of its symbols, and a plain link drops it: a static
# archive contributes no object, a shared library under --as-needed gets no
# DT_NEEDED entry. The link options below keep it. Used for the build tree by
# CMakeLists.txt and for an installed package by the package config.

# Sets <out_var> to the link options that keep <target> in whatever links it.
function({{ cookiecutter.backend_slug }}_registration_link_options out_var target)
  get_target_property(_type ${target} TYPE)
  set(_file "$<TARGET_FILE:${target}>")
  set(_options "")
  if(_type STREQUAL "STATIC_LIBRARY")
    if(APPLE)
      set(_options "LINKER:-force_load,${_file}")
    elseif(MSVC)
      set(_options "LINKER:/WHOLEARCHIVE:${_file}")
    else()
      set(_options
          "SHELL:LINKER:--whole-archive ${_file} LINKER:--no-whole-archive"
      )
    endif()
  elseif(
    _type STREQUAL "SHARED_LIBRARY"
    AND NOT APPLE
    AND NOT MSVC
  )
    # Apple's and Microsoft's linkers always record a library they are given.
    set(_options "LINKER:--push-state,--no-as-needed,${_file},--pop-state")
  endif()
  set(${out_var}
      "${_options}"
      PARENT_SCOPE
  )
endfunction()
