#include "model/tls/clienthello.h"

#include "model/tls/grease.h"
#include "model/tls/tlsnames.h"

#include <array>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

constexpr int MaxHandshakeBytes = 64 * 1024; // a ClientHello larger than this is treated as malformed
constexpr int MaxHttpLine = 4096;

constexpr std::array<const char *, 9> httpMethods
    = {"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH ", "TRACE "};

// A bounds-checked reader over a byte range. Every read fails softly once past the end.
class Reader
{
public:
    Reader(const uchar *data, qsizetype size)
        : m_data(data)
        , m_size(size)
    { }
    bool ok() const { return m_ok; }
    qsizetype remaining() const { return m_ok ? m_size - m_pos : 0; }
    quint8 u8()
    {
        if (!need(1))
            return 0;
        return m_data[m_pos++];
    }
    quint16 u16()
    {
        if (!need(2))
            return 0;
        const quint16 v = quint16(m_data[m_pos] << 8 | m_data[m_pos + 1]);
        m_pos += 2;
        return v;
    }
    quint32 u24()
    {
        if (!need(3))
            return 0;
        const quint32 v = quint32(m_data[m_pos]) << 16 | quint32(m_data[m_pos + 1]) << 8 | m_data[m_pos + 2];
        m_pos += 3;
        return v;
    }
    Reader sub(qsizetype length)
    {
        if (!need(length))
            return Reader(nullptr, 0, false);
        Reader r(m_data + m_pos, length);
        m_pos += length;
        return r;
    }
    QByteArray bytes(qsizetype length)
    {
        if (!need(length))
            return {};
        QByteArray b(reinterpret_cast<const char *>(m_data + m_pos), length);
        m_pos += length;
        return b;
    }
    void skip(qsizetype length)
    {
        if (need(length))
            m_pos += length;
    }

private:
    Reader(const uchar *data, qsizetype size, bool ok)
        : m_data(data)
        , m_size(size)
        , m_ok(ok)
    { }
    bool need(qsizetype n)
    {
        if (!m_ok || n < 0 || m_size - m_pos < n)
            m_ok = false;
        return m_ok;
    }
    const uchar *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
    bool m_ok = true;
};

bool isPrefixOfHttpMethod(const QByteArray &data)
{
    for (const char *method : httpMethods) {
        const QByteArray m = QByteArray::fromRawData(method, qsizetype(qstrlen(method)));
        if (data.size() < m.size() && m.startsWith(data))
            return true;
    }
    return false;
}

void parseExtensions(Reader extensions, ClientHelloInfo &hello)
{
    while (extensions.ok() && extensions.remaining() > 0) {
        const quint16 type = extensions.u16();
        const quint16 length = extensions.u16();
        Reader body = extensions.sub(length);
        if (!extensions.ok())
            return;
        ++hello.extensionCount;
        switch (type) {
        case 0x0000: { // server_name
            Reader list = body.sub(body.u16());
            while (list.ok() && list.remaining() > 0) {
                const quint8 nameType = list.u8();
                const QByteArray name = list.bytes(list.u16());
                if (list.ok() && nameType == 0 && hello.serverName.isEmpty())
                    hello.serverName = QString::fromUtf8(name);
            }
            break;
        }
        case 0x0010: { // application_layer_protocol_negotiation
            Reader list = body.sub(body.u16());
            while (list.ok() && list.remaining() > 0) {
                const QByteArray protocol = list.bytes(list.u8());
                if (list.ok())
                    hello.alpn.append(protocol);
            }
            break;
        }
        case 0x002b: { // supported_versions
            Reader list = body.sub(body.u8());
            while (list.ok() && list.remaining() >= 2)
                hello.supportedVersions.append(list.u16());
            break;
        }
        case 0x000a: { // supported_groups
            Reader list = body.sub(body.u16());
            while (list.ok() && list.remaining() >= 2)
                hello.groups.append(list.u16());
            break;
        }
        default:
            break;
        }
    }
}

// Parses a complete ClientHello handshake message body. Returns an empty string on success, else the problem.
QString parseClientHello(const QByteArray &message, ClientHelloInfo &hello)
{
    Reader r(reinterpret_cast<const uchar *>(message.constData()), message.size());
    hello.legacyVersion = r.u16();
    r.skip(32); // random
    r.skip(r.u8()); // legacy_session_id
    const quint16 suitesLength = r.u16();
    Reader suites = r.sub(suitesLength);
    while (suites.ok() && suites.remaining() >= 2)
        hello.cipherSuites.append(suites.u16());
    r.skip(r.u8()); // compression methods
    if (!r.ok())
        return u"the ClientHello is truncated"_s;
    if ((hello.legacyVersion >> 8) != 3)
        return u"the ClientHello names an unknown version %1"_s.arg(tlsVersionName(hello.legacyVersion));
    if (r.remaining() == 0)
        return {}; // no extensions (old clients)
    Reader extensions = r.sub(r.u16());
    if (!r.ok())
        return u"the ClientHello's extensions are truncated"_s;
    parseExtensions(extensions, hello);
    return {};
}

} // namespace

quint16 ClientHelloInfo::highestVersion() const
{
    quint16 best = 0;
    for (quint16 v : supportedVersions) {
        if (isGrease(v))
            continue;
        best = std::max(best, v);
    }
    return best ? best : legacyVersion;
}

QString parseClientHelloMessage(const QByteArray &message, ClientHelloInfo &hello)
{
    if (message.size() < 4 || quint8(message.at(0)) != 1)
        return u"not a ClientHello message"_s;
    const auto *h = reinterpret_cast<const uchar *>(message.constData());
    const quint32 length = quint32(h[1]) << 16 | quint32(h[2]) << 8 | h[3];
    if (quint32(message.size() - 4) < length)
        return u"the ClientHello is truncated"_s;
    return parseClientHello(message.mid(4, length), hello);
}

FirstBytes classifyFirstBytes(const QByteArray &data)
{
    FirstBytes result;
    if (data.isEmpty())
        return result;

    const auto *bytes = reinterpret_cast<const uchar *>(data.constData());
    // A TLS record of any type (ChangeCipherSpec 0x14, Alert 0x15, Handshake 0x16, ApplicationData 0x17, Heartbeat
    // 0x18) with a 3.x version: TLS, to be answered by the TLS stack, whatever follows. Two bytes decide it.
    if (bytes[0] >= 0x14 && bytes[0] <= 0x18) {
        if (data.size() < 2)
            return result;
        if (bytes[1] == 0x03) {
            result.recordType = bytes[0];
            if (data.size() >= 3)
                result.hello.recordVersion = quint16(bytes[1] << 8 | bytes[2]);
            if (bytes[0] != 0x16) {
                result.kind = FirstBytes::Kind::TlsRecord;
                return result;
            }
            // A handshake record: hand it over now. When the whole first record is already here (the usual case),
            // say what it is; the TLS stack reads the rest, however it is split.
            result.kind = FirstBytes::Kind::TlsHandshake;
            if (data.size() >= 9) {
                const quint16 recordLength = quint16(bytes[3] << 8 | bytes[4]);
                if (bytes[5] != 1) {
                    result.problem = u"the first handshake message is of type %1, not a ClientHello"_s.arg(bytes[5]);
                } else if (recordLength == 0 || recordLength > 16384 + 2048) {
                    result.problem = u"the first record has an impossible length of %1 bytes"_s.arg(recordLength);
                } else if (recordLength >= 4 && data.size() >= 5 + recordLength) {
                    // (A first record shorter than the handshake header, e.g. a hello in 1-byte records, says
                    // nothing about the message's length: the bytes after it are the next record's header.)
                    const quint32 messageLength = quint32(bytes[6]) << 16 | quint32(bytes[7]) << 8 | bytes[8];
                    if (messageLength > MaxHandshakeBytes) {
                        result.problem
                            = u"the ClientHello claims %1 bytes, more than any real one"_s.arg(messageLength);
                    } else if (messageLength + 4 <= recordLength) {
                        result.problem = parseClientHello(data.mid(9, messageLength), result.hello);
                        result.helloComplete = result.problem.isEmpty();
                    }
                }
            }
            return result;
        }
    }
    // SSL 2.0-compatible ClientHello: a 2-byte header with the top bit set, message type 1 (CLIENT-HELLO), then the
    // highest version the client supports (0x0002 for SSL 2, 0x03xx for SSL 3 and TLS). OpenSSL 3 still accepts it.
    if ((bytes[0] & 0x80) != 0) {
        if (data.size() < 5)
            return result;
        if (bytes[2] == 0x01 && (bytes[3] == 0x03 || (bytes[3] == 0x00 && bytes[4] == 0x02))) {
            result.kind = FirstBytes::Kind::Sslv2ClientHello;
            result.hello.legacyVersion = quint16(bytes[3] << 8 | bytes[4]);
            return result;
        }
    }

    for (const char *method : httpMethods) {
        const QByteArray m = QByteArray::fromRawData(method, qsizetype(qstrlen(method)));
        if (data.startsWith(m)) {
            const qsizetype eol = data.indexOf('\n');
            if (eol < 0 && data.size() < MaxHttpLine)
                return result; // wait for the request line
            result.kind = FirstBytes::Kind::Http;
            result.httpMethod = QString::fromLatin1(m.trimmed());
            const QByteArray line = data.left(eol < 0 ? MaxHttpLine : eol).trimmed();
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() >= 2)
                result.httpTarget = QString::fromLatin1(parts.at(1));
            return result;
        }
    }
    if (isPrefixOfHttpMethod(data))
        return result; // "GE" may become "GET "

    result.kind = FirstBytes::Kind::Plaintext;
    int printable = 0;
    for (uchar c : data) {
        if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t')
            ++printable;
    }
    result.printable = printable * 10 >= data.size() * 9;
    return result;
}

QString recordTypeName(quint8 type)
{
    switch (type) {
    case 0x14:
        return u"ChangeCipherSpec"_s;
    case 0x15:
        return u"Alert"_s;
    case 0x16:
        return u"Handshake"_s;
    case 0x17:
        return u"ApplicationData"_s;
    case 0x18:
        return u"Heartbeat"_s;
    default:
        return u"type %1"_s.arg(type);
    }
}

QString tlsVersionName(quint16 version)
{
    return versionLabel(version);
}

QString kindDescription(FirstBytes::Kind kind)
{
    switch (kind) {
    case FirstBytes::Kind::NeedMore:
        return u"incomplete"_s;
    case FirstBytes::Kind::TlsHandshake:
        return u"TLS handshake record"_s;
    case FirstBytes::Kind::TlsRecord:
        return u"TLS record other than a handshake"_s;
    case FirstBytes::Kind::Sslv2ClientHello:
        return u"SSLv2-format ClientHello"_s;
    case FirstBytes::Kind::Http:
        return u"plaintext HTTP request"_s;
    case FirstBytes::Kind::Plaintext:
        return u"plaintext data"_s;
    }
    return {};
}

} // namespace TlsLab::Model
