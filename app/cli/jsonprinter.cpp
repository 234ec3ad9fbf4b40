#include "app/cli/jsonprinter.h"

#include <QJsonDocument>

namespace TlsLab::Cli {

void EventPrinter::print(const Model::Event &event) const
{
    if (m_text) {
        printLine(event.toText());
        return;
    }
    const QByteArray line = event.toJsonLine();
    std::fwrite(line.constData(), 1, size_t(line.size()), m_out);
    std::fflush(m_out);
}

void EventPrinter::printObject(const QJsonObject &object) const
{
    if (m_text)
        return;
    QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact);
    line += '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), m_out);
    std::fflush(m_out);
}

void EventPrinter::printLine(const QString &line) const
{
    if (!m_text)
        return;
    const QByteArray bytes = line.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), m_out);
    std::fflush(m_out);
}

} // namespace TlsLab::Cli
