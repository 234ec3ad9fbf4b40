#pragma once

#include "model/capture/sessionwire.h"
#include "model/core/event.h"
#include "model/core/session.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QStringList>

namespace TlsLab::Model {

// The capture file format (version 1), written by CaptureWriter and read by CaptureReader; README "Capture files"
// documents it for other readers. All integers are little-endian.
//
//   file    = magic (8 bytes: 89 'T' 'L' 'S' 'C' 'A' 'P' 0A) version (u16 = 1) flags (u16 = 0) record*
//   record  = length (u32, of payload) crc (u32, CRC-32/ISO-HDLC of payload, as zlib's crc32) payload
//   payload = type (u8) body
//
// Record types (a reader skips types it does not know, so later versions can add some):
//   'H' header    CBOR map: "created_us", "writer" (program and version), "kinds" (event kind names by number)
//   'E' event     time_us (i64) session (u64) side (u8: 0 server, 1 client) kind (u8, a number in the header's
//                 "kinds") severity (u8: 0 debug .. 4 error) summary_len (u32) summary (UTF-8) details (the rest:
//                 the fields of a CBOR map, without the map's head and break)
//   'S' session   CBOR map of the session's fields (the last record for an id wins)
//   'W' wire      session (u64) time_us (i64) sent (u8) bytes (the rest): TLS bytes as they crossed the wire
//   'K' keylog    session (u64) line (the rest): one SSLKEYLOGFILE line
//   'X' stopped   CBOR map: "reason": the writer stopped here on purpose (the size limit)
//
// A record is written whole or not at all by the writer, so a crash can only cut the last one; the CRC makes any
// other damage visible.
class CaptureFormat final
{
public:
    static constexpr char Magic[8] = {char(0x89), 'T', 'L', 'S', 'C', 'A', 'P', '\n'};
    static constexpr quint16 Version = 1;
    static constexpr int FileHeaderSize = 12;
    static constexpr int RecordHeaderSize = 8;
    static constexpr quint32 MaxRecordSize = 64 * 1024 * 1024;

    enum RecordType : quint8 {
        Header = 'H',
        EventRecord = 'E',
        SessionRecord = 'S',
        Wire = 'W',
        KeyLog = 'K',
        Stopped = 'X',
    };

    static quint32 crc32(QByteArrayView data);

    static QByteArray fileHeader();
    // Appends one framed record (length, crc, payload) to out.
    static void appendRecord(QByteArray &out, QByteArrayView payload);

    static QByteArray headerPayload(qint64 createdUs);
    static QByteArray eventPayload(const Event &event);
    static QByteArray sessionPayload(const Session &session);
    static QByteArray wirePayload(quint64 session, qint64 timeUs, bool sent, QByteArrayView bytes);
    static QByteArray keyLogPayload(quint64 session, QByteArrayView line);
    static QByteArray stoppedPayload(const QString &reason);

    // Decoders of the bodies (after the type byte); false when the body is malformed. kinds maps the file's kind
    // numbers to this program's.
    static bool decodeEvent(QByteArrayView body, const QList<EventKind> &kinds, Event &event);
    // The same without copying: the summary (UTF-8) and the details (CBOR) are views into body.
    static bool decodeEventView(QByteArrayView body, const QList<EventKind> &kinds, EventHeader &header,
        QByteArrayView &summaryUtf8, QByteArrayView &details);
    static bool decodeSession(QByteArrayView body, Session &session);
    static bool decodeWire(QByteArrayView body, quint64 &session, WireChunk &chunk);
    static bool decodeKeyLog(QByteArrayView body, quint64 &session, QByteArray &line);
    // The kind table of a header body: file number -> EventKind (KindCount for names this program does not know).
    static bool decodeHeader(QByteArrayView body, QList<EventKind> &kinds, qint64 &createdUs, QString &writer);
};

} // namespace TlsLab::Model
