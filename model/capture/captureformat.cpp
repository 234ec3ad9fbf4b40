#include "model/capture/captureformat.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborStreamReader>
#include <QCborValue>
#include <QJsonDocument>
#include <QtEndian>

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

template<typename T>
void put(QByteArray &out, T value)
{
    char bytes[sizeof(T)];
    qToLittleEndian(value, bytes);
    out.append(bytes, sizeof(T));
}

// Reads little-endian integers from the front of a view; every read checks the length.
class Cursor
{
public:
    explicit Cursor(QByteArrayView data)
        : m_data(data)
    { }
    template<typename T>
    bool read(T &value)
    {
        if (m_data.size() < qsizetype(sizeof(T)))
            return false;
        value = qFromLittleEndian<T>(m_data.data());
        m_data = m_data.sliced(sizeof(T));
        return true;
    }
    bool take(qsizetype size, QByteArrayView &out)
    {
        if (size < 0 || m_data.size() < size)
            return false;
        out = m_data.first(size);
        m_data = m_data.sliced(size);
        return true;
    }
    QByteArrayView rest() const { return m_data; }

private:
    QByteArrayView m_data;
};

} // namespace

quint32 CaptureFormat::crc32(QByteArrayView data)
{
    // zlib's CRC-32 (the IEEE polynomial, as in gzip and PNG) processes several bytes per step: a byte-at-a-time
    // table was a tenth of the time of opening a large capture.
    uLong crc = ::crc32(0L, Z_NULL, 0);
    const auto *bytes = reinterpret_cast<const Bytef *>(data.data());
    for (qsizetype left = data.size(); left > 0;) {
        const auto step = uInt(std::min<qsizetype>(left, std::numeric_limits<uInt>::max()));
        crc = ::crc32(crc, bytes, step);
        bytes += step;
        left -= step;
    }
    return quint32(crc);
}

QByteArray CaptureFormat::fileHeader()
{
    QByteArray out(Magic, sizeof(Magic));
    put<quint16>(out, Version);
    put<quint16>(out, 0);
    return out;
}

void CaptureFormat::appendRecord(QByteArray &out, QByteArrayView payload)
{
    put<quint32>(out, quint32(payload.size()));
    put<quint32>(out, crc32(payload));
    out.append(payload.data(), payload.size());
}

QByteArray CaptureFormat::headerPayload(qint64 createdUs)
{
    QCborArray kinds;
    for (int k = 0; k < int(EventKind::KindCount); ++k)
        kinds.append(kindName(EventKind(k)));
    QCborMap map;
    map.insert(u"created_us"_s, createdUs);
    map.insert(u"writer"_s, QString(u"tlslab "_s + QStringLiteral(TLSLAB_VERSION)));
    map.insert(u"kinds"_s, kinds);
    return QByteArray(1, char(Header)) + map.toCborValue().toCbor();
}

QByteArray CaptureFormat::eventPayload(const Event &event)
{
    const QByteArray summary = event.summary.toUtf8();
    const QByteArray &details = event.details.encodedFields();
    QByteArray out;
    out.reserve(1 + 8 + 8 + 3 + 4 + summary.size() + details.size());
    out.append(char(EventRecord));
    put<qint64>(out, event.timeUs);
    put<quint64>(out, event.session);
    out.append(char(event.side));
    out.append(char(event.kind));
    out.append(char(event.severity));
    put<quint32>(out, quint32(summary.size()));
    out.append(summary);
    out.append(details);
    return out;
}

QByteArray CaptureFormat::sessionPayload(const Session &s)
{
    QCborMap map;
    map.insert(u"id"_s, qint64(s.id));
    map.insert(u"side"_s, sideName(s.side));
    map.insert(u"state"_s, stateName(s.state));
    map.insert(u"local_address"_s, s.localAddress);
    map.insert(u"local_port"_s, s.localPort);
    map.insert(u"peer_address"_s, s.peerAddress);
    map.insert(u"peer_port"_s, s.peerPort);
    map.insert(u"peer_name"_s, s.peerName);
    map.insert(u"start_us"_s, s.startUs);
    map.insert(u"end_us"_s, s.endUs);
    map.insert(u"linked_session"_s, qint64(s.linkedSession));
    map.insert(u"protocol"_s, s.protocol);
    map.insert(u"cipher"_s, s.cipher);
    map.insert(u"alpn"_s, s.alpn);
    map.insert(u"ephemeral_key"_s, s.ephemeralKey);
    map.insert(u"group"_s, s.group);
    map.insert(u"resumed"_s, s.resumed);
    map.insert(u"tickets_received"_s, s.ticketsReceived);
    if (!s.ja3.isEmpty()) {
        map.insert(u"ja3"_s, s.ja3);
        map.insert(u"ja3_md5"_s, s.ja3Md5);
    }
    if (!s.ja4.isEmpty())
        map.insert(u"ja4"_s, s.ja4);
    QCborArray chain;
    for (const QSslCertificate &c : s.peerChain)
        chain.append(c.toDer());
    map.insert(u"peer_chain_der"_s, chain);
    QCborArray errors;
    for (const QSslError &e : s.verifyErrors)
        errors.append(QCborMap {{u"code"_s, int(e.error())}, {u"certificate_der"_s, e.certificate().toDer()}});
    map.insert(u"verify_errors"_s, errors);
    map.insert(u"untrusted"_s, s.untrusted);
    map.insert(u"reason"_s, s.reason);
    map.insert(u"bytes_sent"_s, qint64(s.bytesSent));
    map.insert(u"bytes_received"_s, qint64(s.bytesReceived));
    if (!s.diagnosis.isEmpty())
        map.insert(u"diagnosis"_s, QCborMap::fromJsonObject(s.diagnosis));
    return QByteArray(1, char(SessionRecord)) + map.toCborValue().toCbor();
}

QByteArray CaptureFormat::wirePayload(quint64 session, qint64 timeUs, bool sent, QByteArrayView bytes)
{
    QByteArray out(1, char(Wire));
    put<quint64>(out, session);
    put<qint64>(out, timeUs);
    out.append(char(sent ? 1 : 0));
    out.append(bytes.data(), bytes.size());
    return out;
}

QByteArray CaptureFormat::keyLogPayload(quint64 session, QByteArrayView line)
{
    QByteArray out(1, char(KeyLog));
    put<quint64>(out, session);
    out.append(line.data(), line.size());
    return out;
}

QByteArray CaptureFormat::stoppedPayload(const QString &reason)
{
    return QByteArray(1, char(Stopped)) + QCborValue(QCborMap {{u"reason"_s, reason}}).toCbor();
}

bool CaptureFormat::decodeEventView(QByteArrayView body, const QList<EventKind> &kinds, EventHeader &header,
    QByteArrayView &summaryUtf8, QByteArrayView &details)
{
    Cursor in(body);
    quint8 side = 0, kind = 0, severity = 0;
    quint32 summaryBytes = 0;
    if (!in.read(header.timeUs) || !in.read(header.session) || !in.read(side) || !in.read(kind) || !in.read(severity)
        || !in.read(summaryBytes) || !in.take(qsizetype(summaryBytes), summaryUtf8))
        return false;
    if (side > quint8(Side::Client) || severity > quint8(Severity::Error) || kind >= kinds.size())
        return false;
    header.side = Side(side);
    header.kind = kinds.at(kind);
    header.severity = Severity(severity);
    details = in.rest();
    return true;
}

bool CaptureFormat::decodeEvent(QByteArrayView body, const QList<EventKind> &kinds, Event &event)
{
    EventHeader header;
    QByteArrayView summary;
    QByteArrayView details;
    if (!decodeEventView(body, kinds, header, summary, details))
        return false;
    event.timeUs = header.timeUs;
    event.session = header.session;
    event.side = header.side;
    event.kind = header.kind;
    event.severity = header.severity;
    event.summary = QString::fromUtf8(summary);
    event.details = EventDetails::fromEncodedFields(details.toByteArray());
    return true;
}

bool CaptureFormat::decodeSession(QByteArrayView body, Session &s)
{
    // Read in one pass with a stream reader, not through a QCborMap: a capture of a busy listener holds a session
    // record per connection, and building a map for each and searching it by key was most of the time taken to open
    // one. Unknown keys (a newer writer's) are skipped.
    QCborStreamReader in(body.data(), body.size());
    if (!in.isMap() || !in.enterContainer())
        return false;
    s = Session {};
    bool ok = true;
    const auto text = [&in, &ok] {
        QString out;
        if (!in.isString()) {
            ok = false;
            return out;
        }
        auto chunk = in.readString();
        while (chunk.status == QCborStreamReader::Ok) {
            out += chunk.data;
            chunk = in.readString();
        }
        ok = ok && chunk.status == QCborStreamReader::EndOfString;
        return out;
    };
    const auto bytes = [&in, &ok] {
        QByteArray out;
        if (!in.isByteArray()) {
            ok = false;
            return out;
        }
        auto chunk = in.readByteArray();
        while (chunk.status == QCborStreamReader::Ok) {
            out += chunk.data;
            chunk = in.readByteArray();
        }
        ok = ok && chunk.status == QCborStreamReader::EndOfString;
        return out;
    };
    const auto integer = [&in, &ok]() -> qint64 {
        if (!in.isInteger()) {
            ok = false;
            return 0;
        }
        const qint64 value = in.toInteger();
        in.next();
        return value;
    };
    const auto boolean = [&in, &ok] {
        if (!in.isBool()) {
            ok = false;
            return false;
        }
        const bool value = in.toBool();
        in.next();
        return value;
    };
    // The elements of an array, each read by one, until the array ends.
    const auto array = [&in, &ok](const auto &element) {
        if (!in.isArray() || !in.enterContainer()) {
            ok = false;
            return;
        }
        while (ok && in.hasNext() && in.lastError() == QCborError::NoError)
            element();
        ok = ok && in.lastError() == QCborError::NoError && in.leaveContainer();
    };
    while (ok && in.hasNext() && in.lastError() == QCborError::NoError) {
        const QString key = text();
        if (!ok)
            break;
        if (key == u"id"_s) {
            s.id = quint64(integer());
        } else if (key == u"side"_s) {
            s.side = text() == u"client" ? Side::Client : Side::Server;
        } else if (key == u"state"_s) {
            const QString state = text();
            for (int st = 0; st <= int(SessionState::Failed); ++st) {
                if (stateName(SessionState(st)) == state)
                    s.state = SessionState(st);
            }
        } else if (key == u"local_address"_s) {
            s.localAddress = text();
        } else if (key == u"local_port"_s) {
            s.localPort = quint16(integer());
        } else if (key == u"peer_address"_s) {
            s.peerAddress = text();
        } else if (key == u"peer_port"_s) {
            s.peerPort = quint16(integer());
        } else if (key == u"peer_name"_s) {
            s.peerName = text();
        } else if (key == u"start_us"_s) {
            s.startUs = integer();
        } else if (key == u"end_us"_s) {
            s.endUs = integer();
        } else if (key == u"linked_session"_s) {
            s.linkedSession = quint64(integer());
        } else if (key == u"protocol"_s) {
            s.protocol = text();
        } else if (key == u"cipher"_s) {
            s.cipher = text();
        } else if (key == u"alpn"_s) {
            s.alpn = text();
        } else if (key == u"ephemeral_key"_s) {
            s.ephemeralKey = text();
        } else if (key == u"group"_s) {
            s.group = text();
        } else if (key == u"resumed"_s) {
            s.resumed = boolean();
        } else if (key == u"tickets_received"_s) {
            s.ticketsReceived = int(integer());
        } else if (key == u"ja3"_s) {
            s.ja3 = text();
        } else if (key == u"ja3_md5"_s) {
            s.ja3Md5 = text();
        } else if (key == u"ja4"_s) {
            s.ja4 = text();
        } else if (key == u"peer_chain_der"_s) {
            array([&] { s.peerChain.append(QSslCertificate(bytes(), QSsl::Der)); });
        } else if (key == u"verify_errors"_s) {
            array([&] {
                const QCborMap m = cborOrUndefined(in).toMap();
                s.verifyErrors.append(QSslError(QSslError::SslError(m.value(u"code"_s).toInteger()),
                    QSslCertificate(m.value(u"certificate_der"_s).toByteArray(), QSsl::Der)));
            });
        } else if (key == u"untrusted"_s) {
            s.untrusted = boolean();
        } else if (key == u"reason"_s) {
            s.reason = text();
        } else if (key == u"bytes_sent"_s) {
            s.bytesSent = quint64(integer());
        } else if (key == u"bytes_received"_s) {
            s.bytesReceived = quint64(integer());
        } else if (key == u"diagnosis"_s) {
            s.diagnosis = cborOrUndefined(in).toMap().toJsonObject();
        } else {
            cborOrUndefined(in); // a newer writer's field
        }
    }
    ok = ok && in.lastError() == QCborError::NoError && in.leaveContainer();
    return ok && s.id != 0;
}

bool CaptureFormat::decodeWire(QByteArrayView body, quint64 &session, WireChunk &chunk)
{
    Cursor in(body);
    quint8 sent = 0;
    if (!in.read(session) || !in.read(chunk.timeUs) || !in.read(sent) || sent > 1)
        return false;
    chunk.sent = sent == 1;
    chunk.bytes = in.rest().toByteArray();
    return true;
}

bool CaptureFormat::decodeKeyLog(QByteArrayView body, quint64 &session, QByteArray &line)
{
    Cursor in(body);
    if (!in.read(session))
        return false;
    line = in.rest().toByteArray();
    return true;
}

bool CaptureFormat::decodeHeader(QByteArrayView body, QList<EventKind> &kinds, qint64 &createdUs, QString &writer)
{
    const QCborValue value = cborOrUndefined(body.toByteArray());
    if (!value.isMap())
        return false;
    const QCborMap map = value.toMap();
    const QCborArray names = map.value(u"kinds"_s).toArray();
    if (names.isEmpty() || names.size() > 256)
        return false;
    kinds.clear();
    for (const QCborValue &name : names)
        kinds.append(kindFromName(name.toString()));
    createdUs = map.value(u"created_us"_s).toInteger();
    writer = map.value(u"writer"_s).toString();
    return true;
}

} // namespace TlsLab::Model
