#pragma once

#include "model/tls/plaintextpayload.h"

#include <QComboBox>
#include <QSsl>

namespace TlsLab::Widgets {

// The choices that both panels offer, each item carrying its value as item data, so that a form reads what the user
// chose with currentData() and never depends on the order of the items.
void fillProtocolCombo(QComboBox *combo); // TLS 1.2 or later (first), 1.3 or later, 1.2 only, 1.3 only
void fillPayloadCombo(QComboBox *combo); // a line of text (first), an HTTP GET, raw hex, nothing

// The value an item carries, or fallback when there is none.
template<typename Enum>
Enum comboValue(const QComboBox *combo, Enum fallback)
{
    const QVariant data = combo->currentData();
    return data.isValid() ? Enum(data.toInt()) : fallback;
}

// Selects the item carrying value; leaves the selection as it is when no item does.
template<typename Enum>
void setComboValue(QComboBox *combo, Enum value)
{
    const int index = combo->findData(int(value));
    if (index >= 0)
        combo->setCurrentIndex(index);
}

} // namespace TlsLab::Widgets
