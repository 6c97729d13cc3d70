#include "engine_object.h"

#include <g_canvas.h>  // canvas_update_dsp

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "engine_host.h"
#include "rate_bridge.h"

using timbre_rt::EngineHost;
using timbre_rt::EngineOptions;

namespace {

constexpr int kDefaultBuffer = 2048;
constexpr double kPollMs = 20.0;

struct t_engine_object {
  t_object obj;
  t_float scalar_input;  // CLASS_MAINSIGNALIN's float for the first inlet
  t_symbol* directory;   // the patch's folder: relative model paths start there
  EngineHost* host;
  timbre_rt::RateBridge* bridge;  // when Pd's rate differs from the model's; built in dsp
  bool silent;                    // no way to run the model at Pd's rate
  int inlets;
  int outlets;
  const float** in_planes;  // set in dsp, read in perform
  float** out_planes;
  t_outlet* info;
  t_clock* poll;
  double pd_rate;
};

const char* class_name(t_engine_object* x) { return class_getname(pd_class(&x->obj.ob_pd)); }

std::string resolve(t_engine_object* x, const char* path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p.string();
  return (std::filesystem::path(x->directory->s_name) / p).lexically_normal().string();
}

void report(t_engine_object* x, const std::string& message) {
  if (message.rfind("error: ", 0) == 0)
    pd_error(x, "%s: %s", class_name(x), message.c_str() + 7);
  else
    post("%s: %s", class_name(x), message.c_str());
}

void output(t_engine_object* x, const char* selector, std::vector<t_float> values) {
  std::vector<t_atom> atoms(values.size());
  for (size_t i = 0; i < values.size(); ++i) SETFLOAT(&atoms[i], values[i]);
  outlet_anything(x->info, gensym(selector), static_cast<int>(atoms.size()), atoms.data());
}

// Sends latency, rates, channels and statistics out of the right outlet, and prints them.
void engine_object_info(t_engine_object* x) {
  timbre_rt::Engine* engine = x->host->engine();
  if (!engine) {
    pd_error(x, "%s: no model loaded", class_name(x));
    return;
  }
  const auto model = engine->info();
  const auto method = engine->method();
  const auto stats = engine->stats();
  const double pd_rate = x->pd_rate > 0 ? x->pd_rate : sys_getsr();
  // In samples at Pd's rate, resampler FIFO included.
  const int latency = x->bridge ? x->bridge->latency(engine->latency())
                                : static_cast<int>(std::lround(engine->latency() * pd_rate / model.sampling_rate));
  const double latency_ms = 1000.0 * latency / pd_rate;
  output(x, "latency", {static_cast<t_float>(latency), static_cast<t_float>(latency_ms)});
  output(x, "rate", {static_cast<t_float>(pd_rate), static_cast<t_float>(model.sampling_rate)});
  output(x, "channels", {static_cast<t_float>(method.in_channels), static_cast<t_float>(method.out_channels)});
  output(x, "buffer", {static_cast<t_float>(engine->buffer())});
  const unsigned long long underruns = stats.underruns + (x->bridge ? x->bridge->underruns() : 0);
  output(x, "underruns", {static_cast<t_float>(underruns)});
  output(x, "compute", {static_cast<t_float>(stats.compute_ms_p50), static_cast<t_float>(stats.compute_ms_p99),
                        static_cast<t_float>(stats.compute_ms_max)});
  post("%s: %s '%s' at %d Hz (Pd at %g Hz%s), buffer %d, latency %d samples (%.1f ms), %d -> %d channels, %llu calls, "
       "%llu underruns, compute p50 %.2f ms p99 %.2f ms max %.2f ms",
       class_name(x), method.name.c_str(), model.path.c_str(), model.sampling_rate, pd_rate, x->bridge ? ", resampled" : "",
       engine->buffer(), latency, latency_ms,
       method.in_channels, method.out_channels, static_cast<unsigned long long>(stats.calls), underruns, stats.compute_ms_p50,
       stats.compute_ms_p99, stats.compute_ms_max);
}

// Main thread: prints what the control thread finished, until nothing is pending.
void engine_object_poll(t_engine_object* x) {
  bool loaded = false;
  for (const auto& message : x->host->take_messages()) {
    report(x, message);
    loaded |= message.rfind("loaded ", 0) == 0;
  }
  if (loaded) canvas_update_dsp();  // a new model may run at another rate: rebuild the bridge
  if (x->host->busy()) clock_delay(x->poll, kPollMs);
}

void after_control(t_engine_object* x) {
  if (x->host->sync()) {
    engine_object_poll(x);  // already done: report now
  } else {
    clock_delay(x->poll, kPollMs);
  }
}

// ---------------------------------------------------------------- messages

void engine_object_load(t_engine_object* x, t_symbol* path) {
  if (path == &s_) {
    pd_error(x, "%s: load needs a model file path", class_name(x));
    return;
  }
  x->host->load(resolve(x, path->s_name), x->host->sync());
  after_control(x);
}

void engine_object_buffer(t_engine_object* x, t_floatarg buffer) {
  x->host->set_buffer(static_cast<int>(buffer), x->host->sync());
  after_control(x);
}

void engine_object_device(t_engine_object* x, t_symbol* device) {
  x->host->set_device(device->s_name, x->host->sync());
  after_control(x);
}

void engine_object_threads(t_engine_object* x, t_floatarg threads) {
  x->host->set_threads(static_cast<int>(threads), x->host->sync());
  after_control(x);
}

void engine_object_headroom(t_engine_object* x, t_floatarg headroom) {
  x->host->set_headroom(static_cast<int>(headroom), x->host->sync());
  after_control(x);
}

void engine_object_reset(t_engine_object* x) {
  x->host->reset(x->host->sync());
  after_control(x);
}

void engine_object_sync(t_engine_object* x, t_floatarg on) { x->host->set_sync(on != 0); }

void engine_object_bypass(t_engine_object* x, t_floatarg on) { x->host->set_bypass(on != 0); }

// ---------------------------------------------------------------- dsp

t_int* engine_object_perform(t_int* w) {
  auto* x = reinterpret_cast<t_engine_object*>(w[1]);
  const int n = static_cast<int>(w[2]);
  if (x->silent) {
    for (int c = 0; c < x->outlets; ++c) std::fill(x->out_planes[c], x->out_planes[c] + n, 0.0f);
  } else if (x->bridge) {
    x->bridge->process(*x->host, x->in_planes, x->out_planes, n);
  } else {
    x->host->process(x->in_planes, x->inlets, x->out_planes, x->outlets, n);
  }
  return w + 3;
}

void engine_object_dsp(t_engine_object* x, t_signal** sp) {
  x->pd_rate = sp[0]->s_sr;
  for (int i = 0; i < x->inlets; ++i) x->in_planes[i] = sp[i]->s_vec;
  for (int i = 0; i < x->outlets; ++i) x->out_planes[i] = sp[x->inlets + i]->s_vec;
  delete x->bridge;  // DSP is stopped while dsp() runs: perform cannot be using it
  x->bridge = nullptr;
  x->silent = false;
  if (timbre_rt::Engine* engine = x->host->engine()) {
    const int model_rate = engine->info().sampling_rate;
    if (model_rate != static_cast<int>(x->pd_rate)) {
      try {
        const auto method = engine->method();
        x->bridge = new timbre_rt::RateBridge(static_cast<int>(x->pd_rate), model_rate, x->inlets, x->outlets, sp[0]->s_n,
                                              method.out_ratio);
      } catch (const std::exception& e) {
        pd_error(x, "%s: %s; the object outputs silence", class_name(x), e.what());
        x->silent = true;
      }
    }
  }
  dsp_add(engine_object_perform, 2, x, static_cast<t_int>(sp[0]->s_n));
}

void engine_object_free(t_engine_object* x) {
  clock_free(x->poll);
  delete x->bridge;
  delete x->host;  // joins the control thread and the engine's worker
  delete[] x->in_planes;
  delete[] x->out_planes;
}

}  // namespace

// ---------------------------------------------------------------- new / setup

void* engine_object_new(t_class* cls, const char* method, bool audio_in, int argc, t_atom* argv) {
  auto* x = reinterpret_cast<t_engine_object*>(pd_new(cls));
  x->directory = canvas_getdir(canvas_getcurrent());
  x->host = new EngineHost(method);

  EngineOptions options;
  options.buffer = kDefaultBuffer;
  t_symbol* path = atom_getsymbolarg(0, argc, argv);
  if (argc > 1) options.buffer = static_cast<int>(atom_getfloatarg(1, argc, argv));
  // Pd computes blocks in bursts, so the block after a full buffer follows at once: without
  // headroom every result would be late. Half a buffer by default (bench/pd_jack.md).
  options.headroom = argc > 2 ? static_cast<int>(atom_getfloatarg(2, argc, argv)) : std::max(options.buffer, 0) / 2;
  if (path == &s_) {
    pd_error(x, "%s: no model file given (usage: [%s <model.ts> <buffer> <headroom>]); send 'load <path>'", class_name(x), class_name(x));
  } else {
    const std::string error = x->host->open(resolve(x, path->s_name), options);
    if (!error.empty()) report(x, error + " (the object outputs silence until a model loads)");
  }

  int latents = 1;  // without a model, one latent channel until a model is loaded
  if (timbre_rt::Engine* engine = x->host->engine()) {
    const auto m = engine->method();
    latents = audio_in ? m.out_channels : m.in_channels;
    if (engine->buffer() != options.buffer && options.buffer > 0)
      post("%s: buffer %d rounded up to %d, a multiple of the model's block size", class_name(x), options.buffer, engine->buffer());
  }
  x->inlets = audio_in ? 1 : latents;
  x->outlets = audio_in ? latents : 1;
  for (int i = 1; i < x->inlets; ++i) inlet_new(&x->obj, &x->obj.ob_pd, &s_signal, &s_signal);
  for (int i = 0; i < x->outlets; ++i) outlet_new(&x->obj, &s_signal);
  x->info = outlet_new(&x->obj, nullptr);
  x->in_planes = new const float*[x->inlets]();
  x->out_planes = new float*[x->outlets]();
  x->poll = clock_new(x, reinterpret_cast<t_method>(engine_object_poll));
  x->pd_rate = 0;
  x->bridge = nullptr;
  x->silent = false;
  return x;
}

t_class* engine_object_class(const char* name, t_newmethod new_method) {
  t_class* cls = class_new(gensym(name), new_method, reinterpret_cast<t_method>(engine_object_free), sizeof(t_engine_object),
                           CLASS_DEFAULT, A_GIMME, 0);
  CLASS_MAINSIGNALIN(cls, t_engine_object, scalar_input);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_dsp), gensym("dsp"), A_CANT, 0);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_load), gensym("load"), A_DEFSYMBOL, 0);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_buffer), gensym("buffer"), A_FLOAT, 0);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_device), gensym("device"), A_SYMBOL, 0);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_threads), gensym("threads"), A_FLOAT, 0);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_sync), gensym("sync"), A_FLOAT, 0);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_bypass), gensym("bypass"), A_FLOAT, 0);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_headroom), gensym("headroom"), A_FLOAT, 0);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_reset), gensym("reset"), A_NULL);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_info), gensym("info"), A_NULL);
  return cls;
}
