// V8's own cache of compiled WebAssembly code, for the sandbox worker (electron/sandbox/
// v8-wasm-serializer.ts): Node exposes neither half of it, Chrome uses both.
//
//   serialize(module)  -> ArrayBuffer: the module's compiled code (V8 keeps its optimised functions;
//                         the others compile lazily again), as CompiledWasmModule::Serialize.
//   install()          -> makes WebAssembly.compileStreaming of THIS thread take
//                         { wire: ArrayBufferView[], cached?: ArrayBufferView } instead of a Response:
//                         the module is the wire bytes (the parts in order), its code taken from
//                         `cached` when V8 accepts it (same V8, same flags, same CPU features), else
//                         compiled as usual.
//   lastCachedAccepted() -> whether V8 took the cached code for this thread's last such compile.
//   adviseHugePages(buffer, bytes) -> bytes advised: asks Linux for transparent huge pages
//                         (madvise MADV_HUGEPAGE) on the first `bytes` of a wasm memory's
//                         reservation (electron/sandbox/huge-pages.ts), 0 where it does not.
//
// V8 trusts cached code as its own machine code: the caller passes only bytes it wrote itself and
// has authenticated (sandbox/compiled-cache.ts). This file keeps no bytes; its only I/O is reading
// /proc/self/maps, to advise nothing but a wasm memory's own reservation.
#include <node.h>
#include <v8-wasm.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace {

using v8::Array;
using v8::ArrayBuffer;
using v8::ArrayBufferView;
using v8::Context;
using v8::Exception;
using v8::FunctionCallbackInfo;
using v8::Isolate;
using v8::Local;
using v8::Object;
using v8::String;
using v8::Value;
using v8::WasmModuleObject;
using v8::WasmStreaming;

thread_local bool last_cached_accepted = false;

const uint8_t* BytesOf(Local<ArrayBufferView> view) {
  return static_cast<const uint8_t*>(view->Buffer()->Data()) + view->ByteOffset();
}

// V8 up to 14.1 (Node 20-25, Electron 45) takes the cached code before the wire bytes
// (SetCompiledModuleBytes); later V8 (Node 26: 14.6) is told there is some (SetHasCompiledModuleBytes)
// and asks for it in Finish's callback. The same effect: V8 deserialises `code` when it accepts it.
template <typename Streaming>
void CompileFrom(Streaming& streaming, const std::vector<Local<ArrayBufferView>>& parts,
                 const uint8_t* code, size_t code_size) {
  constexpr bool kCodeFirst =
      requires(Streaming& s, const uint8_t* c, size_t n) { s.SetCompiledModuleBytes(c, n); };
  if (code != nullptr) {
    if constexpr (kCodeFirst)
      last_cached_accepted = streaming.SetCompiledModuleBytes(code, code_size);
    else
      streaming.SetHasCompiledModuleBytes();
  }
  for (Local<ArrayBufferView> part : parts)
    streaming.OnBytesReceived(BytesOf(part), part->ByteLength());  // copied by V8
  if constexpr (kCodeFirst) {
    streaming.Finish(true);
  } else if (code == nullptr) {
    streaming.Finish({});
  } else {
    streaming.Finish([&](auto& caching) {  // a WasmStreaming::ModuleCachingInterface
      last_cached_accepted = caching.SetCachedCompiledModuleBytes({code, code_size});
    });
  }
}

void OnCompileStreaming(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  std::shared_ptr<WasmStreaming> streaming = WasmStreaming::Unpack(isolate, info.Data());
  last_cached_accepted = false;
  Local<Context> context = isolate->GetCurrentContext();
  Local<Value> wire;
  Local<Value> cached;
  bool ok = info[0]->IsObject() &&
            info[0].As<Object>()->Get(context, String::NewFromUtf8Literal(isolate, "wire")).ToLocal(&wire) &&
            info[0].As<Object>()->Get(context, String::NewFromUtf8Literal(isolate, "cached")).ToLocal(&cached) &&
            wire->IsArray() && (cached->IsUndefined() || cached->IsArrayBufferView());
  std::vector<Local<ArrayBufferView>> parts;
  if (ok) {
    Local<Array> list = wire.As<Array>();
    for (uint32_t i = 0; ok && i < list->Length(); i++) {
      Local<Value> part;
      ok = list->Get(context, i).ToLocal(&part) && part->IsArrayBufferView();
      if (ok) parts.push_back(part.As<ArrayBufferView>());
    }
  }
  if (!ok) {
    streaming->Abort(Exception::TypeError(String::NewFromUtf8Literal(
        isolate, "compileStreaming here takes { wire: Uint8Array[], cached?: Uint8Array }")));
    return;
  }
  const uint8_t* code = nullptr;
  size_t code_size = 0;
  if (cached->IsArrayBufferView()) {
    // The bytes stay valid until Finish returns: they are the caller's, held by `info`.
    code = BytesOf(cached.As<ArrayBufferView>());
    code_size = cached.As<ArrayBufferView>()->ByteLength();
  }
  CompileFrom(*streaming, parts, code, code_size);
}

void Install(const FunctionCallbackInfo<Value>& info) {
  info.GetIsolate()->SetWasmStreamingCallback(OnCompileStreaming);
}

void LastCachedAccepted(const FunctionCallbackInfo<Value>& info) {
  info.GetReturnValue().Set(last_cached_accepted);
}

void Serialize(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  if (!info[0]->IsWasmModuleObject()) {
    isolate->ThrowException(Exception::TypeError(
        String::NewFromUtf8Literal(isolate, "serialize takes a WebAssembly.Module")));
    return;
  }
  v8::OwnedBuffer bytes = info[0].As<WasmModuleObject>()->GetCompiledModule().Serialize();
  Local<ArrayBuffer> out = ArrayBuffer::New(isolate, bytes.size);
  if (bytes.size > 0) std::memcpy(out->Data(), bytes.buffer.get(), bytes.size);
  info.GetReturnValue().Set(out);
}

// V8 reserves a wasm32 memory with guard regions (on 64-bit Linux): its accessible pages, then
// inaccessible ones up to at least 4 GiB past its start, all anonymous and private, one mapping that
// memory.grow makes accessible in place. Only a buffer that starts such a run of mappings (not a
// plain ArrayBuffer inside malloc's heap, not a memory without guard regions) is advised, and only
// its first `bytes` (the memory cap, at most 4 GiB): the flag stays on the mapping as it grows.
size_t AdviseReservation(uintptr_t data, double bytes) {
#ifdef __linux__
  constexpr uint64_t kWasm32Reach = uint64_t{4} << 30;
  const long page = sysconf(_SC_PAGESIZE);
  if (data == 0 || page <= 0 || data % page != 0 || !(bytes > 0) || bytes > double(kWasm32Reach))
    return 0;
  const size_t want = (size_t(bytes) + page - 1) / page * page;
  FILE* maps = std::fopen("/proc/self/maps", "re");
  if (maps == nullptr) return 0;
  uintptr_t reach = data;  // the run of suitable mappings from `data` covers [data, reach)
  char line[512];
  while (reach - data < kWasm32Reach && std::fgets(line, sizeof line, maps) != nullptr) {
    unsigned long start = 0, end = 0, offset = 0, inode = 0;
    char perms[8] = {0}, dev[16] = {0};
    int path_at = 0;
    if (std::sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &start, &end, perms, &offset, dev, &inode,
                    &path_at) < 6)
      continue;  // the tail of a line longer than `line`
    if (end <= reach) continue;
    const bool anonymous = inode == 0 && line[path_at] == '\0';
    const bool ours = std::strcmp(perms, "rw-p") == 0 || std::strcmp(perms, "---p") == 0;
    if (start != reach || !anonymous || !ours) break;
    reach = end;
  }
  std::fclose(maps);
  if (reach - data < kWasm32Reach) return 0;
  return madvise(reinterpret_cast<void*>(data), want, MADV_HUGEPAGE) == 0 ? want : 0;
#else
  return 0;
#endif
}

void AdviseHugePages(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  if (!info[0]->IsArrayBuffer() || !info[1]->IsNumber()) {
    isolate->ThrowException(Exception::TypeError(String::NewFromUtf8Literal(
        isolate, "adviseHugePages takes a wasm memory's ArrayBuffer and a byte count")));
    return;
  }
  const uintptr_t data = reinterpret_cast<uintptr_t>(info[0].As<ArrayBuffer>()->Data());
  const size_t advised = AdviseReservation(data, info[1].As<v8::Number>()->Value());
  info.GetReturnValue().Set(double(advised));
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  NODE_SET_METHOD(exports, "install", Install);
  NODE_SET_METHOD(exports, "serialize", Serialize);
  NODE_SET_METHOD(exports, "lastCachedAccepted", LastCachedAccepted);
  NODE_SET_METHOD(exports, "adviseHugePages", AdviseHugePages);
}
