#include "widgets/plaintextpayload.h"

#include <QObject>

#include <cctype>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

Model::Result<QByteArray> makePayload(PayloadKind kind, const QString &text, const QString &host)
{
    switch (kind) {
    case PayloadKind::TextLine:
        return QByteArray(text.toUtf8() + '\n');
    case PayloadKind::HttpGet: {
        QString path = text.trimmed();
        if (!path.startsWith(u'/'))
            path = u"/"_s + path;
        return QStringLiteral("GET %1 HTTP/1.1\r\nHost: %2\r\nUser-Agent: TLS Lab\r\nConnection: close\r\n\r\n")
            .arg(path, host)
            .toUtf8();
    }
    case PayloadKind::RawHex: {
        QByteArray digits = text.toLatin1();
        digits.replace(' ', "").replace(':', "").replace('\n', "");
        if (digits.startsWith("0x"))
            digits = digits.mid(2);
        if (digits.size() % 2)
            return Model::Result<QByteArray>::failure(
                QObject::tr("the hex payload has an odd number of digits (%1)").arg(digits.size()));
        for (char c : std::as_const(digits)) {
            if (!std::isxdigit(static_cast<unsigned char>(c)))
                return Model::Result<QByteArray>::failure(
                    QObject::tr("the hex payload contains \"%1\", which is not a hex digit").arg(QLatin1Char(c)));
        }
        return QByteArray::fromHex(digits);
    }
    case PayloadKind::Nothing:
        return QByteArray();
    }
    return QByteArray();
}

} // namespace TlsLab::Widgets
