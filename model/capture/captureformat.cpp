#include "model/capture/captureformat.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QJsonDocument>
#include <QtEndian>

#include <array>
#include <cstring>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

constexpr std::array<quint32, 256> crcTable()
{
    std::array<quint32, 256> table {};
    for (quint32 n = 0; n < 256; ++n) {
        quint32 c = n;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
    return table;
}

constexpr std::array<quint32, 256> CrcTable = crcTable();

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

QCborValue cborOf(QByteArrayView body)
{
    QCborParserError error;
    const QCborValue value = QCborValue::fromCbor(body.toByteArray(), &error);
    return error.error == QCborError::NoError ? value : QCborValue(QCborSimpleType::Undefined);
}

} // namespace

quint32 CaptureFormat::crc32(QByteArrayView data)
{
    quint32 c = 0xffffffffu;
    for (const char byte : data)
        c = CrcTable[(c ^ quint8(byte)) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
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

bool CaptureFormat::decodeEvent(QByteArrayView body, const QList<EventKind> &kinds, Event &event)
{
    Cursor in(body);
    quint8 side = 0, kind = 0, severity = 0;
    quint32 summaryBytes = 0;
    QByteArrayView summary;
    if (!in.read(event.timeUs) || !in.read(event.session) || !in.read(side) || !in.read(kind) || !in.read(severity)
        || !in.read(summaryBytes) || !in.take(qsizetype(summaryBytes), summary))
        return false;
    if (side > quint8(Side::Client) || severity > quint8(Severity::Error) || kind >= kinds.size())
        return false;
    event.side = Side(side);
    event.kind = kinds.at(kind);
    event.severity = Severity(severity);
    event.summary = QString::fromUtf8(summary);
    event.details = EventDetails::fromEncodedFields(in.rest().toByteArray());
    return true;
}

bool CaptureFormat::decodeSession(QByteArrayView body, Session &s)
{
    const QCborValue value = cborOf(body);
    if (!value.isMap())
        return false;
    const QCborMap map = value.toMap();
    s.id = quint64(map.value(u"id"_s).toInteger());
    if (s.id == 0)
        return false;
    s.side = map.value(u"side"_s).toString() == u"client" ? Side::Client : Side::Server;
    const QString state = map.value(u"state"_s).toString();
    for (int st = 0; st <= int(SessionState::Failed); ++st) {
        if (stateName(SessionState(st)) == state)
            s.state = SessionState(st);
    }
    s.localAddress = map.value(u"local_address"_s).toString();
    s.localPort = quint16(map.value(u"local_port"_s).toInteger());
    s.peerAddress = map.value(u"peer_address"_s).toString();
    s.peerPort = quint16(map.value(u"peer_port"_s).toInteger());
    s.peerName = map.value(u"peer_name"_s).toString();
    s.startUs = map.value(u"start_us"_s).toInteger();
    s.endUs = map.value(u"end_us"_s).toInteger();
    s.linkedSession = quint64(map.value(u"linked_session"_s).toInteger());
    s.protocol = map.value(u"protocol"_s).toString();
    s.cipher = map.value(u"cipher"_s).toString();
    s.alpn = map.value(u"alpn"_s).toString();
    s.ephemeralKey = map.value(u"ephemeral_key"_s).toString();
    s.group = map.value(u"group"_s).toString();
    s.resumed = map.value(u"resumed"_s).toBool();
    s.ticketsReceived = int(map.value(u"tickets_received"_s).toInteger());
    s.peerChain.clear();
    for (const QCborValue &der : map.value(u"peer_chain_der"_s).toArray())
        s.peerChain.append(QSslCertificate(der.toByteArray(), QSsl::Der));
    s.verifyErrors.clear();
    for (const QCborValue &e : map.value(u"verify_errors"_s).toArray()) {
        const QCborMap m = e.toMap();
        s.verifyErrors.append(QSslError(QSslError::SslError(m.value(u"code"_s).toInteger()),
            QSslCertificate(m.value(u"certificate_der"_s).toByteArray(), QSsl::Der)));
    }
    s.untrusted = map.value(u"untrusted"_s).toBool();
    s.reason = map.value(u"reason"_s).toString();
    s.bytesSent = quint64(map.value(u"bytes_sent"_s).toInteger());
    s.bytesReceived = quint64(map.value(u"bytes_received"_s).toInteger());
    s.diagnosis = map.value(u"diagnosis"_s).toMap().toJsonObject();
    return true;
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
    const QCborValue value = cborOf(body);
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
