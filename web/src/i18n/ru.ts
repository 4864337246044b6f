// Russian: partial; missing messages fall back to English.
export default {
  nav: { accounts: "Счета", transfer: "Перевод", profile: "Профиль", users: "Пользователи", signOut: "Выйти" },
  login: { title: "Вход в Kassa", email: "Эл. почта", password: "Пароль", submit: "Войти" },
};
