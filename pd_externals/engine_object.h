// The Pd glue shared by [encoder~] and [decoder~]: new / dsp / perform / free and the
// messages, over an EngineHost. Each external only names its class and method.
#pragma once

#include <m_pd.h>

// An object of class `cls` running `method`: one signal inlet per input channel of the
// method and one signal outlet per output channel (its `_params`), then the info outlet.
// argv: <model.ts> <buffer> <headroom>.
t_class* engine_object_class(const char* name, t_newmethod new_method);
void* engine_object_new(t_class* cls, const char* method, int argc, t_atom* argv);
