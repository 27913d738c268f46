"""Qt view of the survey's QR code for the visitor who was just served: a
window of its own, full screen on the console's second screen when there is
one (turned to the visitor), else a window beside the console's own."""

from __future__ import annotations

import qrcode
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from antrean.i18n import tr
from counter.widgets import named_label

QR_PIXELS = 360


def qr_pixmap(payload: str, size: int = QR_PIXELS) -> QPixmap:
    """The payload as a QR code (black on white, quiet zone included)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1,
                         border=4)
    code.add_data(payload)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    scale = max(1, size // image.width)
    image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    qimage = QImage(image.tobytes(), image.width, image.height, image.width,
                    QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(qimage.copy())


class SurveyQrWindow(QWidget):
    """'Scan to rate our service' for one ticket; replaced by the next one."""

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        # It never takes the keyboard: staff keep working with the function keys.
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.lang = lang
        self.url = ""
        self.number = ""
        self.title = named_label("fieldLabel")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 28px; font-weight: bold;")
        self.code = QLabel()
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = named_label("hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("font-size: 20px;")
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.close)
        self.close_button.setMinimumSize(160, 48)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.code, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background: white; color: #0b0c0c;")

    def show_for(self, number: str, url: str) -> None:
        self.number, self.url = number, url
        self.code.setPixmap(qr_pixmap(url))
        self.retranslate()
        screens = QGuiApplication.screens()
        if len(screens) > 1:  # the visitor's screen
            self.setScreen(screens[1])
            self.setGeometry(screens[1].geometry())
            self.showFullScreen()
        else:
            self.resize(520, 640)
            self.show()

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("counter.survey_qr.window", self.lang))
        self.title.setText(tr("counter.survey_qr.title", self.lang, number=self.number))
        self.hint.setText(tr("counter.survey_qr.hint", self.lang))
        self.close_button.setText(tr("counter.survey_qr.close", self.lang))
