#include "engine_object.h"

#include <g_canvas.h>  // canvas_update_dsp

#include <s_stuff.h>  // sys_get_audio_settings: the scheduler mode, for the default headroom

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "engine_host.h"
#include "bounds.h"

using timbre_rt::EngineHost;
using timbre_rt::EngineOptions;

namespace {

// 512 samples: the shipped models' block (21 ms at 24 kHz); models with a larger block
// round it up to theirs.
constexpr int kDefaultBuffer = 512;
constexpr double kPollMs = 20.0;
// Auto headroom starts from two periods of a low-latency JACK setup (256 samples: Pd's
// polling scheduler often computes two at once, bench/pd_jack.md) and grows to the largest
// burst the object sees (measured after the first second: Pd fills its buffer at start).
constexpr int kAssumedBurst = 512;
constexpr double kWatchMs = 500.0;
constexpr double kBurstSettleSeconds = 1.0;

struct t_engine_object {
  t_object obj;
  t_float scalar_input;  // CLASS_MAINSIGNALIN's float for the first inlet
  t_symbol* directory;   // the patch's folder: relative model paths start there
  EngineHost* host;
  int inlets;
  int outlets;
  const float** in_planes;  // set in dsp, read in perform
  float** out_planes;
  t_outlet* info;
  t_clock* poll;
  t_clock* watch;  // failed calls and auto headroom, while DSP runs
  double pd_rate;
  // Pd computes blocks in bursts (its audio buffer, a JACK period): perform measures them.
  bool auto_headroom;  // headroom follows the largest burst (until a headroom is given)
  double last_perform;  // seconds on the steady clock, audio thread's own
  double dsp_started;
  long burst;  // samples of the running burst
  std::atomic<long> max_burst;
  unsigned long long errors_seen;  // failed model calls already reported in the Pd window
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
  const auto state = engine->state();  // a snapshot: never waits for a load
  const auto& model = state->file->info();
  const auto& method = state->method;
  const auto stats = engine->stats();
  const double pd_rate = x->pd_rate > 0 ? x->pd_rate : sys_getsr();
  const int latency = state->latency;  // at Pd's rate, conversion included
  const double latency_ms = 1000.0 * latency / state->host_rate;
  const bool resampled = state->host_rate != model.sampling_rate;
  output(x, "latency", {static_cast<t_float>(latency), static_cast<t_float>(latency_ms)});
  output(x, "rate", {static_cast<t_float>(pd_rate), static_cast<t_float>(model.sampling_rate)});
  output(x, "channels", {static_cast<t_float>(method.in_channels), static_cast<t_float>(method.out_channels)});
  output(x, "buffer", {static_cast<t_float>(state->options.buffer)});
  output(x, "headroom", {static_cast<t_float>(state->headroom), static_cast<t_float>(x->auto_headroom ? 1 : 0)});
  output(x, "burst", {static_cast<t_float>(x->max_burst.load())});
  output(x, "inline", {static_cast<t_float>(state->options.inline_compute ? 1 : 0)});
  output(x, "realtime", {static_cast<t_float>(engine->realtime() ? 1 : 0)});
  output(x, "underruns", {static_cast<t_float>(stats.underruns)});
  output(x, "compute", {static_cast<t_float>(stats.compute_ms_p50), static_cast<t_float>(stats.compute_ms_p99),
                        static_cast<t_float>(stats.compute_ms_max)});
  const std::string realtime = engine->realtime() ? "realtime priority"
                                                  : "no realtime priority (" + engine->realtime_error() + ")";
  post("%s: %s '%s' at %d Hz (Pd at %g Hz%s), buffer %d, headroom %d%s, %s, latency %d samples (%.1f ms), %d -> %d channels, "
       "largest burst %ld samples, %llu calls, %llu underruns, compute p50 %.2f ms p99 %.2f ms max %.2f ms, worker: %s",
       class_name(x), method.name.c_str(), model.path.c_str(), model.sampling_rate, pd_rate, resampled ? ", resampled" : "",
       state->options.buffer, state->headroom, x->auto_headroom ? " (auto)" : "", state->options.inline_compute ? "inline" : "threaded",
       latency, latency_ms, method.in_channels, method.out_channels, x->max_burst.load(),
       static_cast<unsigned long long>(stats.calls), static_cast<unsigned long long>(stats.underruns), stats.compute_ms_p50,
       stats.compute_ms_p99, stats.compute_ms_max, realtime.c_str());
}

// Main thread: prints what the control thread finished, until nothing is pending.
void engine_object_poll(t_engine_object* x) {
  for (const auto& message : x->host->take_messages()) report(x, message);
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

// A number from a message as an int in [low, high]; false (and one line in the Pd window)
// for NaN, infinities, fractions or a number out of range.
bool message_int(t_engine_object* x, const char* what, t_floatarg value, int low, int high, int& result) {
  try {
    result = timbre_rt::bounds::checked_int(what, value, low, high);
    return true;
  } catch (const std::exception& e) {
    pd_error(x, "%s: %s; nothing changed", class_name(x), e.what());
    return false;
  }
}

// Model samples of headroom that cover a burst of `burst` samples at Pd's rate.
int headroom_for_burst(t_engine_object* x, long burst) {
  timbre_rt::Engine* engine = x->host->engine();
  const double pd_rate = x->pd_rate > 0 ? x->pd_rate : sys_getsr();
  const double model_rate = engine ? engine->info().sampling_rate : pd_rate;
  return static_cast<int>(std::ceil(burst * model_rate / pd_rate));
}

void engine_object_buffer(t_engine_object* x, t_floatarg buffer) {
  int value = 0;
  if (!message_int(x, "buffer", buffer, 1, timbre_rt::bounds::kMaxBuffer, value)) return;
  x->host->set_buffer(value, x->host->sync());
  after_control(x);
}

void engine_object_device(t_engine_object* x, t_symbol* device) {
  x->host->set_device(device->s_name, x->host->sync());
  after_control(x);
}

void engine_object_threads(t_engine_object* x, t_floatarg threads) {
  int value = 0;
  if (!message_int(x, "threads", threads, 1, timbre_rt::bounds::kMaxThreads, value)) return;
  x->host->set_threads(value, x->host->sync());
  after_control(x);
}

void engine_object_headroom(t_engine_object* x, t_symbol*, int argc, t_atom* argv) {
  if (argc == 1 && argv[0].a_type == A_SYMBOL && std::string(atom_getsymbol(argv)->s_name) == "auto") {
    x->auto_headroom = true;
    x->max_burst.store(0);
    x->host->set_headroom(headroom_for_burst(x, kAssumedBurst), x->host->sync());
    after_control(x);
    return;
  }
  if (argc != 1 || argv[0].a_type != A_FLOAT) {
    pd_error(x, "%s: headroom takes a number of samples or 'auto'; nothing changed", class_name(x));
    return;
  }
  int value = 0;
  if (!message_int(x, "headroom", atom_getfloat(argv), 0, timbre_rt::bounds::kMaxHeadroom, value)) return;
  x->auto_headroom = false;
  x->host->set_headroom(value, x->host->sync());
  after_control(x);
}

void engine_object_inline(t_engine_object* x, t_floatarg on) {
  x->host->set_inline(on != 0, x->host->sync());
  after_control(x);
}

// Main thread, every kWatchMs while DSP runs: reports model calls that failed since
// the last look (file, method, reason), and with auto headroom grows the headroom to the
// largest burst seen, so that a result is never needed inside the burst that completed
// its buffer.
void engine_object_watch(t_engine_object* x) {
  clock_delay(x->watch, kWatchMs);
  timbre_rt::Engine* engine = x->host->engine();
  if (!engine) return;
  const unsigned long long errors = engine->stats().errors;
  if (errors > x->errors_seen) {
    pd_error(x, "%s: %llu model call(s) failed (silence instead), the last: %s", class_name(x), errors - x->errors_seen,
             engine->last_error().c_str());
    x->errors_seen = errors;
  }
  if (!x->auto_headroom || x->host->busy() || x->host->sync()) return;
  const long burst = x->max_burst.load();
  if (burst <= 0) return;
  const auto state = engine->state();
  if (state->options.inline_compute) return;
  const int needed = headroom_for_burst(x, burst);
  if (needed <= state->options.headroom) return;
  post("%s: Pd computes up to %ld samples per burst: headroom raised to %d model samples (send 'headroom <n>' to fix it)",
       class_name(x), burst, needed);
  x->host->set_headroom(needed, false);
  clock_delay(x->poll, kPollMs);
}

void engine_object_reset(t_engine_object* x) {
  x->host->reset(x->host->sync());
  after_control(x);
}

void engine_object_sync(t_engine_object* x, t_floatarg on) { x->host->set_sync(on != 0); }

void engine_object_bypass(t_engine_object* x, t_floatarg on) { x->host->set_bypass(on != 0); }

// ---------------------------------------------------------------- dsp

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

t_int* engine_object_perform(t_int* w) {
  auto* x = reinterpret_cast<t_engine_object*>(w[1]);
  const int n = static_cast<int>(w[2]);
  // A block that follows the previous one sooner than half its own duration belongs to the
  // same burst. Reading the steady clock neither allocates nor locks.
  const double now = now_seconds();
  x->burst = now - x->last_perform < 0.5 * n / x->pd_rate ? x->burst + n : n;
  x->last_perform = now;
  if (now - x->dsp_started > kBurstSettleSeconds && x->burst > x->max_burst.load(std::memory_order_relaxed))
    x->max_burst.store(x->burst, std::memory_order_relaxed);
  x->host->process(x->in_planes, x->inlets, x->out_planes, x->outlets, n);
  return w + 3;
}

void engine_object_dsp(t_engine_object* x, t_signal** sp) {
  x->pd_rate = sp[0]->s_sr;
  for (int i = 0; i < x->inlets; ++i) x->in_planes[i] = sp[i]->s_vec;
  for (int i = 0; i < x->outlets; ++i) x->out_planes[i] = sp[x->inlets + i]->s_vec;
  // Everything the audio thread needs was built at load; only a change of Pd's rate asks
  // the control thread for a new stream (at once in sync mode).
  const int pd_rate = static_cast<int>(x->pd_rate);
  if (x->host->options().host_rate != pd_rate) {
    x->host->set_host_rate(pd_rate, x->host->sync());
    after_control(x);
  }
  x->burst = 0;
  x->last_perform = 0;
  x->dsp_started = now_seconds();
  x->max_burst.store(0);
  clock_delay(x->watch, kWatchMs);
  dsp_add(engine_object_perform, 2, x, static_cast<t_int>(sp[0]->s_n));
}

void engine_object_free(t_engine_object* x) {
  clock_free(x->poll);
  clock_free(x->watch);
  delete x->host;  // joins the control thread and the engine's worker
  delete[] x->in_planes;
  delete[] x->out_planes;
  x->max_burst.~atomic();
}

}  // namespace

// ---------------------------------------------------------------- new / setup

void* engine_object_new(t_class* cls, const char* method, int argc, t_atom* argv) {
  auto* x = reinterpret_cast<t_engine_object*>(pd_new(cls));
  new (&x->max_burst) std::atomic<long>(0);
  x->directory = canvas_getdir(canvas_getcurrent());
  x->host = new EngineHost(method);
  x->pd_rate = sys_getsr();

  EngineOptions options;
  options.buffer = kDefaultBuffer;
  options.host_rate = static_cast<int>(x->pd_rate);
  t_symbol* path = atom_getsymbolarg(0, argc, argv);
  auto number = [&](int index, const char* what, int low, int high, int fallback) {
    if (argc <= index) return fallback;
    try {
      return timbre_rt::bounds::checked_int(what, atom_getfloatarg(index, argc, argv), low, high);
    } catch (const std::exception& e) {
      pd_error(x, "%s: %s; using %d", class_name(x), e.what(), fallback);
      return fallback;
    }
  };
  options.buffer = number(1, "buffer", 1, timbre_rt::bounds::kMaxBuffer, kDefaultBuffer);
  options.headroom = number(2, "headroom", 0, timbre_rt::bounds::kMaxHeadroom, 0);
  x->auto_headroom = argc <= 2;
  if (path == &s_) {
    pd_error(x, "%s: no model file given (usage: [%s <model.ts>%s <buffer> <headroom>]); send 'load <path>'", class_name(x), class_name(x),
             std::string(class_name(x)) == "timbre~" ? " <method>" : "");
  } else {
    const double pd_rate = x->pd_rate;
    const bool automatic = x->auto_headroom;
    const std::string error = x->host->open(resolve(x, path->s_name), options, [pd_rate, automatic](const timbre_rt::ModelInfo& model, EngineOptions& o) {
      if (automatic) o.headroom = static_cast<int>(std::ceil(kAssumedBurst * model.sampling_rate / pd_rate));
    });
    if (!error.empty()) report(x, error + " (the object outputs silence until a model loads)");
  }

  // Inlets and outlets as the method's `_params` declare; without a model, one of each
  // until a model is loaded.
  x->inlets = 1;
  x->outlets = 1;
  if (timbre_rt::Engine* engine = x->host->engine()) {
    const auto m = engine->method();
    x->inlets = m.in_channels;
    x->outlets = m.out_channels;
    if (engine->buffer() != options.buffer && options.buffer > 0)
      post("%s: buffer %d rounded up to %d, a multiple of the model's block size", class_name(x), options.buffer, engine->buffer());
  }
  for (int i = 1; i < x->inlets; ++i) inlet_new(&x->obj, &x->obj.ob_pd, &s_signal, &s_signal);
  for (int i = 0; i < x->outlets; ++i) outlet_new(&x->obj, &s_signal);
  x->info = outlet_new(&x->obj, nullptr);
  x->in_planes = new const float*[x->inlets]();
  x->out_planes = new float*[x->outlets]();
  x->poll = clock_new(x, reinterpret_cast<t_method>(engine_object_poll));
  x->watch = clock_new(x, reinterpret_cast<t_method>(engine_object_watch));
  x->burst = 0;
  x->last_perform = 0;
  x->dsp_started = 0;
  x->errors_seen = 0;
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
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_headroom), gensym("headroom"), A_GIMME, 0);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_inline), gensym("inline"), A_FLOAT, 0);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_reset), gensym("reset"), A_NULL);
  class_addmethod(cls, reinterpret_cast<t_method>(engine_object_info), gensym("info"), A_NULL);
  return cls;
}
