#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace TlsLab::Model {

// Turns bytes recorded above TCP (what a socket or the TLS tap saw) back into IPv4/TCP packets that a dissector
// such as Wireshark accepts as one connection: a three-way handshake, data segments of at most one MSS with correct
// sequence and acknowledgement numbers and checksums, and a FIN exchange. The packets are synthetic: timings, window
// sizes and segmentation are not the original ones.
class TcpSynthesizer
{
public:
    // Addresses as host-order IPv4 numbers (0x7f000001 for 127.0.0.1).
    TcpSynthesizer(quint32 clientAddress, quint16 clientPort, quint32 serverAddress, quint16 serverPort);

    QList<QByteArray> open(); // SYN, SYN-ACK, ACK
    QList<QByteArray> send(bool fromClient, QByteArrayView payload); // data segments (PSH|ACK)
    QList<QByteArray> close(); // FIN from the client, FIN from the server, last ACK

    static constexpr int Mss = 1460;

private:
    QByteArray packet(bool fromClient, quint8 flags, QByteArrayView payload);

    quint32 m_clientAddress, m_serverAddress;
    quint16 m_clientPort, m_serverPort;
    quint32 m_clientSeq = 1000, m_serverSeq = 5000;
    quint16 m_ipId = 1;
};

} // namespace TlsLab::Model
