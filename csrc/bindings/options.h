// Options structs as Python sees them. One field list per struct, `fields(visit)` calling
// visit("python_name", &Options::member) for each field, gives the struct's Python class
// (named fields, keyword constructor, repr) and the keywords of Engine() and Pipeline():
// names are written once, and defaults are those of the C++ struct, never repeated here.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <type_traits>

namespace timbre_rt::bindings {

namespace py = pybind11;

// An Options from keyword arguments: fields not given keep the struct's defaults; an unknown
// keyword or a value of the wrong type is a TypeError, as for any Python call.
template <typename Options, typename Fields>
Options options_from_kwargs(const py::kwargs& kwargs, const Fields& fields) {
  Options options;
  std::size_t used = 0;
  fields([&](const char* name, auto member) {
    if (!kwargs.contains(name)) return;
    ++used;
    using Value = std::decay_t<decltype(options.*member)>;
    try {
      options.*member = kwargs[name].template cast<Value>();
    } catch (const py::cast_error&) {
      throw py::type_error(std::string(name) + "=" + std::string(py::repr(kwargs[name])) + ": expected " +
                           std::string(py::str(py::type::of(py::cast(Value{})).attr("__name__"))));
    }
  });
  if (used != kwargs.size()) {
    for (const auto& item : kwargs) {
      bool known = false;
      const std::string key = py::str(item.first);
      fields([&](const char* name, auto) { known = known || key == name; });
      if (!known) throw py::type_error("unexpected keyword argument '" + key + "'");
    }
  }
  return options;
}

// "name=value, ..." of an Options, e.g. the defaults for a docstring or a repr.
template <typename Options, typename Fields>
std::string keywords(const Options& options, const Fields& fields) {
  std::string text;
  fields([&](const char* name, auto member) {
    text += (text.empty() ? "" : ", ") + std::string(name) + "=" + std::string(py::repr(py::cast(options.*member)));
  });
  return text;
}

// The Python class of an Options: Options(**fields), its fields as attributes, a repr.
template <typename Options, typename Fields>
py::class_<Options> bind_options(py::module_& m, const char* name, const Fields& fields) {
  const std::string doc = std::string(name) + "(" + keywords(Options{}, fields) + ")";
  py::class_<Options> cls(m, name, doc.c_str());  // pybind11 copies the docstring
  cls.def(py::init([fields](const py::kwargs& kwargs) { return options_from_kwargs<Options>(kwargs, fields); }));
  fields([&](const char* field, auto member) { cls.def_readwrite(field, member); });
  cls.def("__repr__", [name = std::string(name), fields](const Options& o) { return name + "(" + keywords(o, fields) + ")"; });
  return cls;
}

}  // namespace timbre_rt::bindings
