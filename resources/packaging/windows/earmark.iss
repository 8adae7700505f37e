; Inno Setup 6 script: installs the one-folder PyInstaller bundle (dist\earmark) built by build.spec.
;
;   pyinstaller build.spec --noconfirm --clean
;   iscc /DAppVersion=0.1.0 resources\packaging\windows\earmark.iss
;
; The version comes from app\version.py (the CI workflow reads it there and passes /DAppVersion).
; Output: dist\earmark-<version>-setup.exe. Installs per user or for all users (the installer
; asks), adds a Start menu entry and registers .earmark project files to open in Earmark.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z earmark.iss (it is in app\version.py)
#endif
#define Root "..\..\.."
#define Bundle Root + "\dist\earmark"

[Setup]
; AppId identifies the installation for upgrades and uninstall: never change it.
AppId={{D9E1112A-6981-461B-946A-F7089B8144AB}
AppName=Earmark
AppVersion={#AppVersion}
AppVerName=Earmark {#AppVersion}
AppPublisher=The Earmark developers
DefaultDirName={autopf}\Earmark
DefaultGroupName=Earmark
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
OutputDir={#Root}\dist
OutputBaseFilename=earmark-{#AppVersion}-setup
SetupIconFile={#Root}\resources\icons\earmark.ico
UninstallDisplayIcon={app}\earmark.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; earmark.exe is the window (no console); earmark-cli.exe is the same app for the command line.
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Earmark"; Filename: "{app}\earmark.exe"
Name: "{autodesktop}\Earmark"; Filename: "{app}\earmark.exe"; Tasks: desktopicon

[Registry]
; .earmark -> Earmark.Project, opened by earmark.exe "<file>". HKA is HKLM for an all-users
; install and HKCU for a per-user one.
Root: HKA; Subkey: "Software\Classes\.earmark"; ValueType: string; ValueName: ""; ValueData: "Earmark.Project"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.earmark\OpenWithProgids"; ValueType: string; ValueName: "Earmark.Project"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\Earmark.Project"; ValueType: string; ValueName: ""; ValueData: "Earmark project"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Earmark.Project\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\earmark.exe,0"
Root: HKA; Subkey: "Software\Classes\Earmark.Project\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\earmark.exe"" ""%1"""

[Run]
Filename: "{app}\earmark.exe"; Description: "{cm:LaunchProgram,Earmark}"; Flags: nowait postinstall skipifsilent
