// libFuzzer target: the capture reader over arbitrary bytes (a capture someone sends you is untrusted input). Whatever
// it reads must be consistent and printable, and a damaged file must say where it stopped.
#include "model/capture/captureformat.h"
#include "model/capture/capturereader.h"

#include <cstdlib>

using namespace TlsLab::Model;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const Result<Capture> read = CaptureReader::read(bytes);
    if (!read) {
        if (read.error().isEmpty())
            std::abort();
        return 0;
    }
    const Capture &c = read.value();
    if (c.damaged != (c.damageOffset >= 0) || c.damaged == c.damage.isEmpty() || c.damageOffset > qint64(size))
        std::abort();
    QList<EventKind> kinds;
    for (int k = 0; k < int(EventKind::KindCount); ++k)
        kinds.append(EventKind(k));
    for (const Event &event : c.events) {
        if (event.toJsonLine().isEmpty() || event.toText().isEmpty())
            std::abort();
        // What was read writes back to a record that reads the same.
        const QByteArray payload = CaptureFormat::eventPayload(event);
        Event again;
        if (!CaptureFormat::decodeEvent(QByteArrayView(payload).sliced(1), kinds, again)
            || again.summary != event.summary || !(again.details == event.details))
            std::abort();
    }
    for (const Session &session : c.sessions) {
        if (session.id == 0)
            std::abort();
        CaptureFormat::sessionPayload(session);
    }
    return 0;
}
