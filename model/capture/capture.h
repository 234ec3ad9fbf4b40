#pragma once

#include "model/capture/sessionwire.h"
#include "model/core/event.h"
#include "model/core/session.h"

#include <QHash>
#include <QList>
#include <QString>

namespace TlsLab::Model {

// What a capture file held, as far as it could be read: a value type made by CaptureReader.
struct Capture
{
    QString path;
    QString writer; // "tlslab 0.1.0"
    qint64 createdUs = 0;
    QList<Event> events; // in file order
    QList<Session> sessions; // the last state of each, in order of first appearance
    QHash<quint64, SessionWire> wire; // wire bytes and key log lines, when they were recorded
    qsizetype records = 0; // records read
    qsizetype eventCount = 0; // events read (also when they went to CaptureReader::Handlers, not into events)
    bool cancelled = false; // a handler stopped the reading
    qsizetype unknownRecords = 0; // records of types or event kinds this version does not know (skipped)

    // Where reading stopped early, if it did: the byte offset of the first damaged record, and a sentence for the
    // user ("... truncated at byte 1234 (record 56): ..."). Empty when the whole file was read.
    bool damaged = false;
    qint64 damageOffset = -1;
    QString damage;
    QString stoppedReason; // the writer stopped on purpose (its size limit), with this reason
};

} // namespace TlsLab::Model
