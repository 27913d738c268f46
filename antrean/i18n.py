"""The one Indonesian/English catalogue for every screen, ticket and voice.

Keys are grouped by the app that shows them; `tr(key, lang, **params)` fills
`{placeholders}`. Indonesian is the default and the fallback.
"""

from __future__ import annotations

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

CATALOGUE: dict[str, tuple[str, str]] = {
    # --- common -------------------------------------------------------------
    "common.disconnected": (
        "Koneksi ke server terputus. Menyambung kembali…",
        "Connection to the server lost. Reconnecting…",
    ),
    "common.connecting": ("Menyambung ke server…", "Connecting to the server…"),
    "common.connected": ("Tersambung", "Connected"),
    "common.minutes": ("{n} menit", "{n} min"),
    "common.language_switch": ("English", "Bahasa Indonesia"),
    "common.priority": ("Prioritas", "Priority"),
    "common.regular": ("Reguler", "Regular"),
    "status.waiting": ("Menunggu", "Waiting"),
    "status.called": ("Dipanggil", "Called"),
    "status.serving": ("Dilayani", "Serving"),
    "status.done": ("Selesai", "Done"),
    "status.no_show": ("Tidak hadir", "No-show"),
    "counter_state.open": ("Buka", "Open"),
    "counter_state.paused": ("Istirahat", "On break"),
    "counter_state.closed": ("Tutup", "Closed"),
    # --- server error codes, as a person should read them -------------------
    "error.bad_request": ("Permintaan tidak valid.", "Invalid request."),
    "error.unknown_type": ("Permintaan tidak dikenal.", "Unknown request."),
    "error.unauthorized": ("Tidak berwenang. Silakan masuk.", "Not authorised. Please log in."),
    "error.forbidden": ("Tidak diizinkan untuk perangkat ini.", "Not allowed for this device."),
    "error.not_found": ("Tidak ditemukan.", "Not found."),
    "error.conflict": (
        "Tidak dapat dilakukan pada keadaan sekarang.",
        "Not possible in the current state.",
    ),
    "error.service_closed": ("Layanan ini sedang tutup.", "This service is closed."),
    "error.quota_exhausted": (
        "Kuota hari ini untuk layanan ini sudah habis.",
        "Today's quota for this service is used up.",
    ),
    "error.rate_limited": (
        "Terlalu banyak permintaan. Mohon tunggu sebentar.",
        "Too many requests. Please wait a moment.",
    ),
    "error.internal": (
        "Terjadi kesalahan pada server. Silakan hubungi petugas.",
        "The server had a problem. Please ask a member of staff.",
    ),
    "error.timeout": (
        "Server tidak menjawab. Mencoba lagi…",
        "The server did not answer. Trying again…",
    ),
    # --- kiosk --------------------------------------------------------------
    # printed ticket (kiosk/printing.py): plain ASCII, at most 32 characters a line
    "ticket.number_label": ("NOMOR ANTREAN ANDA", "YOUR QUEUE NUMBER"),
    "ticket.priority": ("PRIORITAS", "PRIORITY"),
    "ticket.issued": ("Tanggal {date}  Pukul {time}", "Date {date}  Time {time}"),
    "ticket.ahead": ("Antrean di depan Anda: {n}", "People ahead of you: {n}"),
    "ticket.ahead_none": ("Anda berikutnya", "You are next"),
    "ticket.eta": ("Perkiraan tunggu: {n} menit", "Estimated wait: {n} min"),
    "ticket.eta_soon": ("Segera dipanggil", "You will be called soon"),
    "ticket.keep": (
        "Simpan tiket ini sampai Anda selesai dilayani.",
        "Keep this ticket until you have been served.",
    ),
    "ticket.feedback_qr": (
        "Beri penilaian layanan kami: pindai kode QR",
        "Rate our service: scan the QR code",
    ),
    "ticket.feedback_counter": (
        "Beri penilaian layanan kami di loket setelah dilayani",
        "Rate our service at the counter after you are served",
    ),
    "ticket.printer.unreachable": (
        "Printer tiket tidak terhubung. Silakan hubungi petugas.",
        "The ticket printer is not connected. Please ask a member of staff.",
    ),
    "ticket.printer.no_paper": (
        "Kertas tiket habis. Silakan hubungi petugas.",
        "The ticket printer is out of paper. Please ask a member of staff.",
    ),
    "ticket.printer.cover_open": (
        "Penutup printer tiket terbuka. Silakan hubungi petugas.",
        "The ticket printer cover is open. Please ask a member of staff.",
    ),
    "ticket.printer.timeout": (
        "Printer tiket tidak merespons. Silakan hubungi petugas.",
        "The ticket printer is not responding. Please ask a member of staff.",
    ),
    "ticket.printer.error": (
        "Tiket tidak dapat dicetak. Silakan hubungi petugas.",
        "The ticket could not be printed. Please ask a member of staff.",
    ),
    # --- display ------------------------------------------------------------
    # --- counter ------------------------------------------------------------
}


def tr(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The text for `key` in `lang`; an unknown key shows itself (and a test
    makes sure no screen uses one)."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry[1] if lang == "en" else entry[0]
    return text.format(**params) if params else text


def error_text(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return tr(f"error.{code}" if f"error.{code}" in CATALOGUE else "error.internal", lang)
