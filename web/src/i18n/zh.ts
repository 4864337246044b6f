// Chinese (Simplified): partial; missing messages fall back to English.
export default {
  nav: { accounts: "账户", transfer: "转账", profile: "个人资料", users: "用户", signOut: "退出" },
  login: { title: "登录 Kassa", email: "电子邮件", password: "密码", submit: "登录" },
};
