// libFuzzer target: decodeHandshakeMessage. Input: message type (1 byte), negotiated version (2 bytes), body.
#include "model/tls/handshakemessage.h"

#include <QCborValue>
#include <QJsonObject>
#include <QString>

#include <cstdlib>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 3)
        return 0;
    const quint16 version = quint16((data[1] << 8) | data[2]);
    const QByteArrayView body(reinterpret_cast<const char *>(data + 3), qsizetype(size - 3));
    const QCborMap m = decodeHandshakeMessage(data[0], body, version);
    if (!m.contains(u"message"_s) || m.value(u"size"_s).toInteger() != qint64(size - 3 + 4))
        std::abort();
    m.toCborValue().toCbor();
    m.toJsonObject();
    return 0;
}
