// Finnish: partial; missing messages fall back to English.
export default {
  nav: { accounts: "Tilit", transfer: "Siirto", profile: "Profiili", users: "Käyttäjät", signOut: "Kirjaudu ulos" },
  login: { title: "Kirjaudu Kassaan", email: "Sähköposti", password: "Salasana", submit: "Kirjaudu" },
};
