#pragma once

#include "model/capture/capture.h"
#include "model/core/result.h"

#include <QByteArrayView>
#include <QString>

#include <functional>

namespace TlsLab::Model {

// Reads a capture file (CaptureFormat) whole or, when it is truncated or damaged, everything before the damage, and
// says where and why it stopped. Fails only when the file cannot be read at all or is not a capture.
class CaptureReader final
{
public:
    // Where events and sessions go as they are read, in file order, instead of into Capture::events and
    // Capture::sessions (for a reader that does not want a million Event values first, the capture window). The views
    // are valid during the call only. A handler that returns false stops the reading (Capture::cancelled).
    struct Handlers
    {
        std::function<bool(const EventHeader &header, QByteArrayView summaryUtf8, QByteArrayView details)> event;
        std::function<bool(const Session &session)> session; // every record of a session: the last is its state
    };

    static Result<Capture> readFile(const QString &path, const Handlers &handlers = {});
    static Result<Capture> read(QByteArrayView data, const QString &name = {}, const Handlers &handlers = {});

    static constexpr qint64 MaxFileBytes = qint64(8) * 1024 * 1024 * 1024;
};

} // namespace TlsLab::Model
