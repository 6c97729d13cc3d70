// The Pd glue shared by [encoder~] and [decoder~]: new / dsp / perform / free and the
// messages, over an EngineHost. Each external only names its class and method.
#pragma once

#include <m_pd.h>

// `audio_in`: true for encoder~ (one audio inlet, one outlet per latent channel), false
// for decoder~ (one inlet per latent channel, one audio outlet).
t_class* engine_object_class(const char* name, t_newmethod new_method);
void* engine_object_new(t_class* cls, const char* method, bool audio_in, int argc, t_atom* argv);
