#pragma once

#include <QString>

namespace TlsLab::Widgets {

// The window's colours: the desktop's own (System), or a fixed Light or Dark palette on the Fusion style, for a
// desktop whose theme is hard to read or for screenshots. Applies to the whole application.
enum class Theme { System, Light, Dark };

void applyTheme(Theme theme);
Theme currentTheme();
QString themeName(Theme theme); // "system", "light", "dark"
Theme themeFromName(const QString &name); // System when unknown

} // namespace TlsLab::Widgets
