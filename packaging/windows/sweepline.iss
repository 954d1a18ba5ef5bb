; Inno Setup script for the Windows installer (NOT BUILT HERE: written, not yet run).
; Build on Windows after the PyInstaller build:
;   py -m PyInstaller --noconfirm --distpath dist packaging\sweepline.spec
;   iscc /DAppVersion=0.1.0 packaging\windows\sweepline.iss
; Silent install for IT:  SweeplineSetup-0.1.0.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; Managed config: %ProgramData%\Sweepline\config.toml (docs\config.md).
#ifndef AppVersion
  #error Pass /DAppVersion=X.Y.Z (the version in pyproject.toml)
#endif

[Setup]
AppId={{6B0D6C52-4C1E-4E4B-9A0E-5EEB5A1C2F11}
AppName=Sweepline
AppVersion={#AppVersion}
AppPublisher=Sweepline
DefaultDirName={autopf}\Sweepline
DefaultGroupName=Sweepline
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\build\packaging
OutputBaseFilename=SweeplineSetup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Files]
Source: "..\..\dist\sweepline\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\config.toml.example"; DestDir: "{commonappdata}\Sweepline"; Flags: onlyifdoesntexist
Source: "..\..\docs\config.md"; DestDir: "{app}\doc"

[Dirs]
Name: "{commonappdata}\Sweepline"

[Icons]
Name: "{group}\Sweepline"; Filename: "{app}\sweepline.exe"
Name: "{commondesktop}\Sweepline"; Filename: "{app}\sweepline.exe"

[Run]
; The console twin of the app, for IT: prints one line per check.
Filename: "{app}\sweepline-cli.exe"; Parameters: "--self-test"; Flags: runhidden skipifsilent nowait postinstall unchecked; Description: "Run the self-test"
