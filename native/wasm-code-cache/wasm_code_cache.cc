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
//
// V8 trusts cached code as its own machine code: the caller passes only bytes it wrote itself and
// has authenticated (sandbox/compiled-cache.ts). This file does no I/O and keeps no bytes.
#include <node.h>
#include <v8-wasm.h>

#include <cstring>
#include <memory>
#include <vector>

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

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  NODE_SET_METHOD(exports, "install", Install);
  NODE_SET_METHOD(exports, "serialize", Serialize);
  NODE_SET_METHOD(exports, "lastCachedAccepted", LastCachedAccepted);
}
