"""The built-in demo office: a Kantor Imigrasi with five services and six
counters, one device token per role and one member of staff (`demo`/`1234`).
Flood limits are off so the benchmarks can load it."""

from __future__ import annotations

from antrean.core.model import CounterSpec, OfficeSpec, PolicySpec, ServiceSpec, Text
from server.config import DeviceGrant, Limits, OfficeConfig, StaffMember

DEMO_TOKENS = {
    "kiosk": "demo-kiosk",
    "display": "demo-display",
    "counter": "demo-counter",
    "supervisor": "demo-supervisor",
    "survey": "demo-survey",  # a survey point at the exit (docs/visitor.md)
}
DEMO_USERNAME = "demo"
DEMO_PIN = "1234"

# Precomputed so the demo starts fast; the secrets themselves are public (demo only).
DEMO_HASHES = {
    "demo-kiosk": "scrypt$16384$8$1$7dQcstSpjznkbRg/0MwkLA==$n5/CTMdijEnjchaz8f7dvJ7sop2IsNoPRpocHyNLNlI=",
    "demo-display": "scrypt$16384$8$1$zXJm6EFwzhLlt2QfhnKUUg==$W6eXMYHn4j7BcE4/somEZFqthBYvhCPUu30+qgRWNRI=",
    "demo-counter": "scrypt$16384$8$1$akYthwCtI0vp1hEf9veGiw==$wVDbfTT7zNdC9jih3Ueyfsu5rfwi6Mej+OvWq+0Dbkg=",
    "demo-supervisor": "scrypt$16384$8$1$HXaXtwfivd/5Lt2vI4cAZA==$84JFuKuyz0CeZjf0LypDourxhFNKTnmxFx42UPF0qW8=",
    "demo-survey": "scrypt$16384$8$1$t5ze9iPXJ7aP7aRptUqvsw==$JDPyPmE+qozLYFVez25fb5UZgJkkRxWa2PPMVbrVYY8=",
    "1234": "scrypt$16384$8$1$TXemKre3hqANiMo9Alw8nQ==$mfdXzq7zwjr9UDGmMbzG+uEM9gDDfi9l8NIkYv95Tsk=",
}

_T = Text

_E_KTP = _T("KTP elektronik (e-KTP) asli", "Original electronic ID card (e-KTP)")
_KK = _T("Kartu Keluarga (KK) asli", "Original Family Card (Kartu Keluarga)")
_BIRTH = _T(
    "Akta kelahiran, ijazah, atau buku nikah asli",
    "Original birth certificate, diploma or marriage book",
)
_PAYMENT = _T("Bukti pembayaran PNBP (kode billing)", "Proof of payment of the passport fee")
_OLD_PASSPORT = _T("Paspor lama", "Old passport")
_LOST = _T(
    "Surat keterangan hilang dari kepolisian (jika paspor hilang)",
    "Police report of loss (if the passport was lost)",
)
_RECEIPT = _T("Tanda terima permohonan", "Application receipt")

DEMO_SERVICES = (
    ServiceSpec("A", "A", _T("Paspor Baru", "New Passport"),
                (_E_KTP, _KK, _BIRTH, _PAYMENT), quota=None, default_minutes=12),
    ServiceSpec("B", "B", _T("Penggantian Paspor", "Passport Replacement"),
                (_E_KTP, _OLD_PASSPORT, _LOST, _PAYMENT), default_minutes=10),
    ServiceSpec("C", "C", _T("Pengambilan Paspor", "Passport Collection"),
                (_RECEIPT, _E_KTP), default_minutes=3),
    ServiceSpec("D", "D", _T("Izin Tinggal", "Stay Permit"),
                (_T("Paspor kebangsaan asli", "Original national passport"),
                 _T("Izin tinggal (ITAS/ITAP) lama", "Current stay permit (ITAS/ITAP)"),
                 _T("Surat penjamin (sponsor)", "Sponsor's letter of guarantee"),
                 _T("Formulir permohonan yang sudah diisi", "Completed application form")),
                default_minutes=15,
                steps=(_T("Verifikasi berkas", "Document check"),
                       _T("Wawancara & biometrik", "Interview & biometrics"))),
    ServiceSpec("E", "E", _T("Informasi & Pengaduan", "Information & Complaints"),
                (_T("Tidak ada dokumen wajib", "No documents required"),
                 _T("Bawa dokumen yang berkaitan dengan pertanyaan atau pengaduan Anda",
                    "Bring any papers related to your question or complaint")),
                default_minutes=5),
)

DEMO_COUNTERS = tuple(
    CounterSpec(str(i), _T(f"Loket {i}", f"Counter {i}"), services)
    for i, services in enumerate(
        (("A", "B"), ("A", "B"), ("C",), ("D",), ("E",), ("A", "B", "C", "D", "E")), start=1
    )
)

DEMO_ANNOUNCEMENTS = (
    _T("Selamat datang di Kantor Imigrasi. Siapkan dokumen asli Anda sebelum dipanggil.",
       "Welcome to the Immigration Office. Have your original documents ready before you "
       "are called."),
    _T("Layanan prioritas untuk lansia, penyandang disabilitas, ibu hamil dan ibu dengan balita.",
       "Priority service for the elderly, people with disabilities, pregnant women and "
       "parents with small children."),
    _T("Petugas kami tidak memungut biaya di luar ketentuan. Laporkan pungutan liar.",
       "Our staff charge no fees beyond the official ones. Report any illegal charges."),
)


def demo_config() -> OfficeConfig:
    office = OfficeSpec(
        name="Kantor Imigrasi Kelas II Demo",
        timezone="Asia/Jakarta",
        services=DEMO_SERVICES,
        counters=DEMO_COUNTERS,
        policy=PolicySpec(priority_cap=3, regular_max_wait_minutes=15),
        announcements=DEMO_ANNOUNCEMENTS,
        ticket_url=None,
    )
    devices = tuple(DeviceGrant(role, DEMO_HASHES[token]) for role, token in DEMO_TOKENS.items())
    staff = (
        StaffMember(DEMO_USERNAME, "Petugas Demo", ("counter", "supervisor"),
                    DEMO_HASHES[DEMO_PIN]),
    )
    limits = Limits(issue_per_minute=None, requests_per_second=None)
    return OfficeConfig(office=office, devices=devices, staff=staff, limits=limits, demo=True)
