#pragma once

#include "model/core/event.h"

#include <QString>
#include <QStringMatcher>

namespace TlsLab::Model {

// The rule of the window's search box, which the command line's --grep follows too: an event matches when its
// one-line summary contains the text, ignoring case; surrounding spaces of the text are ignored and an empty text
// matches everything. SearchIndex only narrows down which summaries to test with it.
class TextSearch
{
public:
    explicit TextSearch(const QString &text)
        : m_needle(text.trimmed())
        , m_matcher(m_needle, Qt::CaseInsensitive)
    { }

    const QString &needle() const { return m_needle; }
    bool matches(QStringView summary) const { return m_needle.isEmpty() || m_matcher.indexIn(summary) >= 0; }
    bool matches(const Event &event) const { return matches(QStringView(event.summary)); }

private:
    QString m_needle;
    QStringMatcher m_matcher;
};

} // namespace TlsLab::Model
