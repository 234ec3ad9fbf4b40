#include "model/capture/tcpsynthesizer.h"

namespace TlsLab::Model {

namespace {

enum : quint8 { Fin = 0x01, Syn = 0x02, Psh = 0x08, Ack = 0x10 };

void put16(QByteArray &out, quint16 v)
{
    out.append(char(v >> 8));
    out.append(char(v & 0xff));
}

void put32(QByteArray &out, quint32 v)
{
    put16(out, quint16(v >> 16));
    put16(out, quint16(v & 0xffff));
}

// The Internet checksum (RFC 1071) over data, starting from a partial sum.
quint16 checksum(QByteArrayView data, quint32 sum = 0)
{
    for (qsizetype i = 0; i + 1 < data.size(); i += 2)
        sum += (quint8(data[i]) << 8) | quint8(data[i + 1]);
    if (data.size() % 2)
        sum += quint8(data.back()) << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return quint16(~sum & 0xffff);
}

} // namespace

TcpSynthesizer::TcpSynthesizer(quint32 clientAddress, quint16 clientPort, quint32 serverAddress, quint16 serverPort)
    : m_clientAddress(clientAddress)
    , m_serverAddress(serverAddress)
    , m_clientPort(clientPort)
    , m_serverPort(serverPort)
{ }

QByteArray TcpSynthesizer::packet(bool fromClient, quint8 flags, QByteArrayView payload)
{
    const quint32 source = fromClient ? m_clientAddress : m_serverAddress;
    const quint32 destination = fromClient ? m_serverAddress : m_clientAddress;
    quint32 &seq = fromClient ? m_clientSeq : m_serverSeq;
    const quint32 ack = fromClient ? m_serverSeq : m_clientSeq;

    QByteArray tcp;
    put16(tcp, fromClient ? m_clientPort : m_serverPort);
    put16(tcp, fromClient ? m_serverPort : m_clientPort);
    put32(tcp, seq);
    put32(tcp, (flags & Ack) ? ack : 0);
    tcp.append(char(5 << 4)); // 20-byte header, no options
    tcp.append(char(flags));
    put16(tcp, 65535); // window
    put16(tcp, 0); // checksum, below
    put16(tcp, 0); // urgent pointer
    tcp.append(payload.data(), payload.size());

    // The TCP checksum covers a pseudo-header: addresses, protocol, TCP length.
    QByteArray pseudo;
    put32(pseudo, source);
    put32(pseudo, destination);
    put16(pseudo, 6);
    put16(pseudo, quint16(tcp.size()));
    const quint16 tcpSum = checksum(QByteArray(pseudo + tcp));
    tcp[16] = char(tcpSum >> 8);
    tcp[17] = char(tcpSum & 0xff);

    QByteArray ip;
    ip.append(char(0x45)); // IPv4, 20-byte header
    ip.append(char(0));
    put16(ip, quint16(20 + tcp.size()));
    put16(ip, m_ipId++);
    put16(ip, 0x4000); // don't fragment
    ip.append(char(64)); // TTL
    ip.append(char(6)); // TCP
    put16(ip, 0);
    put32(ip, source);
    put32(ip, destination);
    const quint16 ipSum = checksum(ip);
    ip[10] = char(ipSum >> 8);
    ip[11] = char(ipSum & 0xff);

    seq += quint32(payload.size()) + ((flags & (Syn | Fin)) ? 1 : 0);
    return ip + tcp;
}

QList<QByteArray> TcpSynthesizer::open()
{
    QList<QByteArray> out;
    out.append(packet(true, Syn, {}));
    out.append(packet(false, Syn | Ack, {}));
    out.append(packet(true, Ack, {}));
    return out;
}

QList<QByteArray> TcpSynthesizer::send(bool fromClient, QByteArrayView payload)
{
    QList<QByteArray> out;
    for (qsizetype at = 0; at < payload.size(); at += Mss)
        out.append(packet(fromClient, Psh | Ack, payload.sliced(at, qMin<qsizetype>(Mss, payload.size() - at))));
    return out;
}

QList<QByteArray> TcpSynthesizer::close()
{
    QList<QByteArray> out;
    out.append(packet(true, Fin | Ack, {}));
    out.append(packet(false, Fin | Ack, {}));
    out.append(packet(true, Ack, {}));
    return out;
}

} // namespace TlsLab::Model
