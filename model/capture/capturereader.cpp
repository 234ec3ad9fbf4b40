#include "model/capture/capturereader.h"

#include "model/capture/captureformat.h"

#include <QCborMap>
#include <QCborValue>
#include <QFile>
#include <QFileInfo>
#include <QtEndian>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

Result<Capture> CaptureReader::readFile(const QString &path, const Handlers &handlers)
{
    using R = Result<Capture>;
    const QFileInfo info(path);
    if (!info.exists())
        return R::failure(u"%1 does not exist"_s.arg(path));
    if (!info.isFile())
        return R::failure(u"%1 is not a regular file"_s.arg(path));
    if (info.size() > MaxFileBytes)
        return R::failure(u"%1 is %2 MB; capture files are at most %3 MB"_s.arg(
            path, QString::number(info.size() >> 20), QString::number(MaxFileBytes >> 20)));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return R::failure(u"cannot read %1: %2"_s.arg(path, file.errorString()));
    // Mapped, not copied: a large capture is read once, record by record.
    const qint64 size = file.size();
    if (size == 0)
        return read({}, path, handlers);
    const uchar *mapped = file.map(0, size);
    if (mapped)
        return read(QByteArrayView(reinterpret_cast<const char *>(mapped), size), path, handlers);
    return read(file.readAll(), path, handlers);
}

Result<Capture> CaptureReader::read(QByteArrayView data, const QString &name, const Handlers &handlers)
{
    using R = Result<Capture>;
    const QString label = name.isEmpty() ? u"the capture"_s : name;
    if (data.size() < CaptureFormat::FileHeaderSize
        || data.first(sizeof(CaptureFormat::Magic))
            != QByteArrayView(CaptureFormat::Magic, sizeof(CaptureFormat::Magic)))
        return R::failure(u"%1 is not a TLS Lab capture (no capture header)"_s.arg(label));
    const quint16 version = qFromLittleEndian<quint16>(data.data() + 8);
    if (version == 0)
        return R::failure(u"%1 is not a TLS Lab capture (version 0)"_s.arg(label));
    if (version > CaptureFormat::Version)
        return R::failure(u"%1 is a version %2 capture; this TLS Lab reads version %3 and older"_s.arg(
            label, QString::number(version), QString::number(CaptureFormat::Version)));

    // No flags are defined yet; a later writer that sets one changes the meaning of the records.
    if (qFromLittleEndian<quint16>(data.data() + 10) != 0)
        return R::failure(u"%1 uses capture features this TLS Lab does not know (flags %2)"_s.arg(
            label, QString::number(qFromLittleEndian<quint16>(data.data() + 10))));

    Capture capture;
    capture.path = name;
    QList<EventKind> kinds;
    QHash<quint64, qsizetype> sessionIndex;
    qint64 at = CaptureFormat::FileHeaderSize;
    const auto stop = [&](const QString &why) {
        capture.damaged = true;
        capture.damageOffset = at;
        capture.damage = u"%1 is damaged at byte %2 (record %3): %4; read the %5 events before it"_s.arg(
            label, QString::number(at), QString::number(capture.records + 1), why, QString::number(capture.eventCount));
    };
    bool keepGoing = true;
    while (at < data.size()) {
        if (data.size() - at < CaptureFormat::RecordHeaderSize) {
            stop(u"truncated in a record header"_s);
            break;
        }
        const quint32 length = qFromLittleEndian<quint32>(data.data() + at);
        const quint32 crc = qFromLittleEndian<quint32>(data.data() + at + 4);
        if (length == 0 || length > CaptureFormat::MaxRecordSize) {
            stop(u"a record length of %1 bytes is impossible"_s.arg(length));
            break;
        }
        if (data.size() - at - CaptureFormat::RecordHeaderSize < qint64(length)) {
            stop(u"truncated: the record needs %1 bytes, %2 are left"_s.arg(
                QString::number(length), QString::number(data.size() - at - CaptureFormat::RecordHeaderSize)));
            break;
        }
        const QByteArrayView payload = data.sliced(at + CaptureFormat::RecordHeaderSize, length);
        if (CaptureFormat::crc32(payload) != crc) {
            stop(u"checksum mismatch (the bytes were changed)"_s);
            break;
        }
        const quint8 type = quint8(payload.front());
        const QByteArrayView body = payload.sliced(1);
        bool ok = true;
        if (kinds.isEmpty() && type != CaptureFormat::Header) {
            stop(u"the first record is not the capture's header"_s);
            break;
        }
        switch (type) {
        case CaptureFormat::Header:
            ok = CaptureFormat::decodeHeader(body, kinds, capture.createdUs, capture.writer);
            break;
        case CaptureFormat::EventRecord: {
            EventHeader header;
            QByteArrayView summary;
            QByteArrayView details;
            ok = CaptureFormat::decodeEventView(body, kinds, header, summary, details);
            if (ok && header.kind == EventKind::KindCount) {
                ++capture.unknownRecords;
            } else if (ok) {
                ++capture.eventCount;
                if (handlers.event) {
                    keepGoing = handlers.event(header, summary, details);
                } else {
                    capture.events.append(
                        Event {header.timeUs, header.session, header.side, header.kind, header.severity,
                            QString::fromUtf8(summary), EventDetails::fromEncodedFields(details.toByteArray())});
                }
            }
            break;
        }
        case CaptureFormat::SessionRecord: {
            Session session;
            ok = CaptureFormat::decodeSession(body, session);
            if (!ok)
                break;
            if (handlers.session) {
                keepGoing = handlers.session(session);
            } else if (const auto it = sessionIndex.constFind(session.id); it != sessionIndex.cend()) {
                capture.sessions[*it] = session;
            } else {
                sessionIndex.insert(session.id, capture.sessions.size());
                capture.sessions.append(session);
            }
            break;
        }
        case CaptureFormat::Wire: {
            quint64 session = 0;
            WireChunk chunk;
            ok = CaptureFormat::decodeWire(body, session, chunk);
            if (ok) {
                SessionWire &wire = capture.wire[session];
                wire.session = session;
                wire.chunks.append(chunk);
            }
            break;
        }
        case CaptureFormat::KeyLog: {
            quint64 session = 0;
            QByteArray line;
            ok = CaptureFormat::decodeKeyLog(body, session, line);
            if (ok) {
                SessionWire &wire = capture.wire[session];
                wire.session = session;
                wire.keyLogLines.append(line);
            }
            break;
        }
        case CaptureFormat::Stopped:
            capture.stoppedReason = cborOrUndefined(body.toByteArray()).toMap().value(u"reason"_s).toString();
            break;
        default:
            ++capture.unknownRecords;
            break;
        }
        if (!ok) {
            stop(u"a record of type '%1' does not decode"_s.arg(QChar(char16_t(type))));
            break;
        }
        ++capture.records;
        at += CaptureFormat::RecordHeaderSize + length;
        if (!keepGoing) {
            capture.cancelled = true;
            break;
        }
    }
    return capture;
}

} // namespace TlsLab::Model
